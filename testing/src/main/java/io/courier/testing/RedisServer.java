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
  private final String[] extra;

  private RedisServer(Process process, int port, Path dir, String[] extra) {
    this.process = process;
    this.port = port;
    this.dir = dir;
    this.extra = extra;
  }

  /**
   * A server that persists only by explicit snapshots: no AOF, no automatic saves, so its
   * {@code dump.rdb} holds exactly what the last {@link #save()} wrote. For rollback tests:
   * {@link #snapshot()}, more writes, then {@link #restartFrom(Path)} brings the older state back
   * on the same port, as a crash with RDB persistence (or a restore from a backup) would.
   */
  public static RedisServer startWithSnapshots() {
    return start(Ports.free(), null, "--appendonly", "no");
  }

  /** SAVE: writes the whole dataset to {@code dump.rdb} in {@link #dir()} before returning. */
  public void save() {
    String reply = command("SAVE");
    if (!"+OK".equals(reply)) {
      throw new IllegalStateException("SAVE answered " + reply);
    }
  }

  /**
   * {@link #save()}, then a copy of {@code dump.rdb} beside it ({@code snapshot-<n>.rdb}), so later
   * saves do not overwrite it. Returns the copy.
   */
  public Path snapshot() {
    save();
    try {
      Path copy = Files.createTempFile(dir, "snapshot-", ".rdb");
      Files.copy(dir.resolve("dump.rdb"), copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      return copy;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * SIGKILLs this server (nothing more is written), puts {@code snapshot} in place as
   * {@code dump.rdb} (and removes any AOF directory, so the snapshot is what loads) and starts
   * redis-server again on the same port and directory with the same arguments. Returns the new
   * server; close that one (closing this one again is harmless).
   */
  public RedisServer restartFrom(Path snapshot) {
    kill();
    try {
      Files.copy(snapshot, dir.resolve("dump.rdb"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      Path aof = dir.resolve("appendonlydir");
      if (Files.isDirectory(aof)) {
        try (var files = Files.list(aof)) {
          for (Path f : files.toList()) {
            Files.delete(f);
          }
        }
        Files.delete(aof);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return start(port, dir, extra);
  }

  /**
   * Sends one command (RESP, over a fresh loopback connection) and returns the first line of the
   * reply as Redis wrote it ({@code +OK}, {@code :3}, {@code -ERR ...}, {@code $5} ...).
   */
  public String command(String... args) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      s.setSoTimeout(30_000);
      StringBuilder b = new StringBuilder().append('*').append(args.length).append("\r\n");
      for (String a : args) {
        byte[] bytes = a.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        b.append('$').append(bytes.length).append("\r\n").append(a).append("\r\n");
      }
      s.getOutputStream().write(b.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      s.getOutputStream().flush();
      java.io.InputStream in = s.getInputStream();
      StringBuilder line = new StringBuilder();
      for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
        if (c != '\r') {
          line.append((char) c);
        }
      }
      return line.toString();
    } catch (IOException e) {
      throw new IllegalStateException("redis command " + args[0] + " failed: " + e.getMessage(), e);
    }
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
      Path d = dir != null ? dir : TempDirs.create("courier-redis-");
      java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("redis-server", "--port",
          String.valueOf(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes", "--dir", d.toString(),
          "--daemonize", "no", "--protected-mode", "yes"));
      cmd.addAll(java.util.List.of(extra));
      ProcessBuilder pb = new ProcessBuilder(cmd);
      pb.redirectErrorStream(true).redirectOutput(d.resolve("redis.log").toFile());
      Process p = pb.start();
      RedisServer server = new RedisServer(p, port, d, extra.clone());
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
