package io.courier.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * A real redis-server started by the test on a free loopback port, with its own directory; the
 * machine's service on 6379 is never touched. Stop it with {@link #close()} (it ends only this process).
 */
public final class RedisServer implements AutoCloseable {
  private final Process process;
  private final int port;
  private final Path dir;

  private RedisServer(Process process, int port, Path dir) {
    this.process = process;
    this.port = port;
    this.dir = dir;
  }

  public static RedisServer start() {
    return start(Ports.free(), null);
  }

  /** Starts on {@code port}, reusing {@code dir} when given (for restart tests with AOF). */
  public static RedisServer start(int port, Path dir) {
    return start(port, dir, new String[0]);
  }

  /**
   * Starts on {@code port} with {@code extra} arguments after the defaults (a later
   * {@code --name value} overrides an earlier one, as redis-server reads them in order), for tests
   * that need another persistence setup, a password or TLS.
   */
  public static RedisServer start(int port, Path dir, String... extra) {
    try {
      Path d = dir != null ? dir : Files.createTempDirectory("courier-redis-");
      java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("redis-server", "--port",
          String.valueOf(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes", "--dir", d.toString(),
          "--daemonize", "no", "--protected-mode", "yes"));
      cmd.addAll(java.util.List.of(extra));
      ProcessBuilder pb = new ProcessBuilder(cmd);
      pb.redirectErrorStream(true).redirectOutput(d.resolve("redis.log").toFile());
      Process p = pb.start();
      RedisServer server = new RedisServer(p, port, d);
      server.awaitListening(Duration.ofSeconds(10));
      return server;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start redis-server (is it installed?): " + e.getMessage(), e);
    }
  }

  private void awaitListening(Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException("redis-server exited with " + process.exitValue() + "; see " + dir.resolve("redis.log"));
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
    }
    close();
    throw new IllegalStateException("redis-server did not listen on " + port + " within " + timeout);
  }

  public int port() {
    return port;
  }

  public Path dir() {
    return dir;
  }

  public String url() {
    return "redis://127.0.0.1:" + port + "/0";
  }

  /** The redis-server process id. */
  public long pid() {
    return process.pid();
  }

  /** SIGSTOP: a server that keeps its connections open and answers nothing until {@link #resume()}. */
  public void pause() {
    signal("STOP");
  }

  /** SIGCONT after {@link #pause()}. */
  public void resume() {
    signal("CONT");
  }

  private void signal(String name) {
    try {
      int status = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start().waitFor();
      if (status != 0) {
        throw new IllegalStateException("kill -" + name + " " + process.pid() + " exited with " + status);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** SIGKILL: the crash case. */
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(java.util.concurrent.TimeUnit.SECONDS.toMillis(5), java.util.concurrent.TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
