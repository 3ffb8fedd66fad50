package io.courier.node;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One Courier node as a separate JVM ({@code io.courier.node.Main run} on the test JVM's class
 * path), configured only through its environment, as an operator runs it. Its stdout (JSON log
 * lines) and stderr go to files under {@code target/node-processes/} for diagnosis; the test reads
 * the log lines to know when the node started and how many members its cluster has.
 *
 * <p>{@link #kill()} is the crash (SIGKILL), {@link #terminate()} the orderly stop (SIGTERM). Always
 * {@link #close()} it in a finally block or {@code @AfterEach}: that kills it if it still runs.
 */
public final class NodeProcess implements AutoCloseable {
  /**
   * JVM flags that shorten start-up on small machines; the node's own defaults do the rest. Out of
   * memory the node exits, as the launcher, the image and the manifests make it.
   */
  static final List<String> JVM_FLAGS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx192m",
      "-XX:+ExitOnOutOfMemoryError",
      "-Xss512k", "-Dlogback.configurationFile=logback.xml",
      "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
      "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens", "java.management/sun.management=ALL-UNNAMED",
      "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED");

  private final String nodeId;
  private final Map<String, String> env;
  private final Process process;
  private final Path stdout;
  private final Path stderr;
  private final List<JsonObject> lines = new CopyOnWriteArrayList<>();
  private long readOffset;

  private NodeProcess(String nodeId, Map<String, String> env, Process process, Path stdout, Path stderr) {
    this.nodeId = nodeId;
    this.env = env;
    this.process = process;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /**
   * Starts {@code courier run} with exactly {@code env} as its Courier settings (inherited
   * COURIER_* variables are removed). Returns at once; wait with {@link #awaitStarted}.
   */
  public static NodeProcess start(String nodeId, Map<String, String> env, Path logDir) {
    return start(nodeId, env, logDir, List.of());
  }

  /** As {@link #start(String, Map, Path)}, with {@code jvmFlags} after the defaults (a later -Xmx wins). */
  public static NodeProcess start(String nodeId, Map<String, String> env, Path logDir, List<String> jvmFlags) {
    try {
      Files.createDirectories(logDir);
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.addAll(JVM_FLAGS);
      cmd.addAll(jvmFlags);
      cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "run"));
      ProcessBuilder pb = new ProcessBuilder(cmd).directory(logDir.toFile());
      pb.environment().keySet().removeIf(k -> k.startsWith("COURIER_"));
      Map<String, String> all = new LinkedHashMap<>(env);
      all.put("COURIER_NODE_ID", nodeId);
      all.putIfAbsent("COURIER_LOG_FORMAT", "json");
      // Tests start many nodes: no warm-up unless a test asks for one.
      all.putIfAbsent("COURIER_WARMUP_MS", "0");
      pb.environment().putAll(all);
      Path out = logDir.resolve(nodeId + ".out");
      Path err = logDir.resolve(nodeId + ".err");
      pb.redirectOutput(out.toFile()).redirectError(err.toFile());
      return new NodeProcess(nodeId, Map.copyOf(all), pb.start(), out, err);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start node " + nodeId + ": " + e.getMessage(), e);
    }
  }

  public String nodeId() {
    return nodeId;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** The WebSocket port (COURIER_PORT); meaningful for nodes running the connection verticle. */
  public int port() {
    return Integer.parseInt(env.getOrDefault("COURIER_PORT", "0"));
  }

  public int clusterPort() {
    return Integer.parseInt(env.get("COURIER_CLUSTER_PORT"));
  }

  public Map<String, String> env() {
    return env;
  }

  public Path stdout() {
    return stdout;
  }

  /** Every JSON log line the node wrote so far. */
  public synchronized List<JsonObject> logLines() {
    readNew();
    return List.copyOf(lines);
  }

  /** The first log line with this {@code message} that matches {@code test}, if any yet. */
  public Optional<JsonObject> findLog(String message, Predicate<JsonObject> test) {
    return logLines().stream().filter(j -> message.equals(j.getString("message"))).filter(test).findFirst();
  }

  /** Waits for a log line with this {@code message} that matches {@code test}; fails if the node dies. */
  public JsonObject awaitLog(String message, Predicate<JsonObject> test, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Optional<JsonObject> found = findLog(message, test);
      if (found.isPresent()) {
        return found.get();
      }
      if (!process.isAlive()) {
        throw new AssertionError("node " + nodeId + " exited (" + process.exitValue() + ") before logging '"
            + message + "'\n" + diagnostics());
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("node " + nodeId + " did not log '" + message + "' within " + timeout.toMillis()
            + " ms\n" + diagnostics());
      }
      pause(20);
    }
  }

  /** Waits for "node started": the cluster is joined, every verticle deployed, the port listening. */
  public NodeProcess awaitStarted(Duration timeout) {
    awaitLog("node started", j -> true, timeout);
    return this;
  }

  /** The cluster size this node saw last (from "node started" and the membership log lines). */
  public int members() {
    int n = 0;
    for (JsonObject j : logLines()) {
      if (j.getValue("members") instanceof Integer m) {
        n = m;
      }
    }
    return n;
  }

  /** SIGKILL: the crash. Returns when the process is gone. */
  public void kill() {
    process.destroyForcibly();
    waitGone(Duration.ofSeconds(10));
  }

  /** SIGTERM: the orderly stop. Returns the exit code, or -1 if it did not end within {@code timeout}. */
  public int terminate(Duration timeout) {
    process.destroy();
    return waitGone(timeout) ? process.exitValue() : -1;
  }

  /** Waits for the process to end on its own; returns its exit code, or fails after {@code timeout}. */
  public int awaitExit(Duration timeout) {
    if (!waitGone(timeout)) {
      throw new AssertionError("node " + nodeId + " still runs after " + timeout.toMillis() + " ms\n" + diagnostics());
    }
    return process.exitValue();
  }

  /** Everything the process wrote to stderr so far. */
  public String stderrText() {
    try {
      return Files.exists(stderr) ? Files.readString(stderr, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private boolean waitGone(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Kills the process if it still runs. */
  @Override
  public void close() {
    if (process.isAlive()) {
      kill();
    }
  }

  /** Where to look, and the last lines of stderr, for assertion messages. */
  public String diagnostics() {
    String err;
    try {
      List<String> all = Files.exists(stderr) ? Files.readAllLines(stderr) : List.of();
      err = String.join("\n", all.subList(Math.max(0, all.size() - 20), all.size()));
    } catch (IOException e) {
      err = "(unreadable: " + e + ")";
    }
    return "  stdout: " + stdout.toAbsolutePath() + "\n  stderr: " + stderr.toAbsolutePath() + "\n" + err;
  }

  private synchronized void readNew() {
    try (RandomAccessFile f = new RandomAccessFile(stdout.toFile(), "r")) {
      long len = f.length();
      if (len <= readOffset) {
        return;
      }
      byte[] buf = new byte[(int) (len - readOffset)];
      f.seek(readOffset);
      f.readFully(buf);
      int end = buf.length;
      while (end > 0 && buf[end - 1] != '\n') {
        end--; // only whole lines, so a UTF-8 sequence is never cut
      }
      readOffset += end;
      for (String line : new String(buf, 0, end, StandardCharsets.UTF_8).split("\n")) {
        String l = line.trim();
        if (l.startsWith("{")) {
          try {
            lines.add(new JsonObject(l));
          } catch (DecodeException notJson) {
            // a line that only looks like JSON; not ours
          }
        }
      }
    } catch (IOException e) {
      // not created yet
    }
  }

  static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
