package io.courier.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.testing.Ports;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The packaged jar as a user runs it: `courier run` with nothing configured generates a dev secret,
 * `courier token` signs with it, two users exchange a message, logs are JSON lines without the
 * token, and SIGTERM ends the process.
 */
class NodeProcessIT {

  private static ProcessBuilder courier(Path dir, Map<String, String> env, String... args) {
    String jar = System.getProperty("courier.jar");
    List<String> cmd = new java.util.ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("COURIER_"));
    pb.environment().putAll(env);
    return pb;
  }

  private static String run(ProcessBuilder pb) throws Exception {
    Process p = pb.redirectErrorStream(false).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("exit code of %s", pb.command()).isZero();
    return out;
  }

  private static void awaitPort(int port, Process p, Path log) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      assertThat(p.isAlive()).as("node died: %s", Files.exists(log) ? Files.readString(log) : "").isTrue();
      try (Socket s = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    throw new AssertionError("node did not listen on " + port);
  }

  @Test
  void runTokenExchangeAndStop() throws Exception {
    Path dir = Files.createTempDirectory("courier-it-");
    int port = Ports.free();
    Map<String, String> env = Map.of(
        "COURIER_PORT", String.valueOf(port),
        "COURIER_HOST", "127.0.0.1",
        "COURIER_CLUSTER_PORT", String.valueOf(Ports.free()),
        "COURIER_CLUSTER_NAME", Ports.uniqueName("it"),
        "COURIER_JWT_SECRET_FILE", dir.resolve("secret/jwt-secret").toString());
    Path stdout = dir.resolve("node.out");
    Path stderr = dir.resolve("node.err");
    Process node = courier(dir, env, "run").redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
    Vertx vertx = Vertx.vertx();
    try {
      awaitPort(port, node, stderr);
      assertThat(Files.readString(stderr)).contains("WARNING").contains("COURIER_JWT_SECRET");
      assertThat(Files.exists(dir.resolve("secret/jwt-secret"))).isTrue();

      String alice = run(courier(dir, env, "token", "alice"));
      String bob = run(courier(dir, env, "token", "bob", "--ttl", "10m"));
      try (WsProbe a = WsProbe.connect(vertx, port, alice); WsProbe b = WsProbe.connect(vertx, port, bob)) {
        a.next("welcome");
        b.next("welcome");
        a.send(new JsonObject().put("type", "send").put("id", "it-1").put("to", "bob").put("body", "hi"));
        a.next("sent");
        assertThat(b.next("msg").getString("body")).isEqualTo("hi");
      }
      String logs = Files.readString(stdout);
      assertThat(logs).doesNotContain(alice).doesNotContain(bob);
      JsonObject connected = logs.lines().filter(l -> l.startsWith("{")).map(JsonObject::new)
          .filter(j -> "connected".equals(j.getString("message"))).findFirst().orElseThrow();
      assertThat(connected.getString("nodeId")).isNotBlank();
      assertThat(connected.getString("sessionId")).isNotBlank();
      assertThat(connected.getString("userId")).isIn("alice", "bob");
    } finally {
      vertx.close().await();
      node.destroy();
      assertThat(node.waitFor(60, TimeUnit.SECONDS)).as("node stops on SIGTERM").isTrue();
    }
  }

  @Test
  void unknownCommandAndBadOptionsExplainThemselves() throws Exception {
    Path dir = Files.createTempDirectory("courier-it-");
    Process p = courier(dir, Map.of(), "launch").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(2);
    assertThat(out).contains("unknown command 'launch'");

    Process q = courier(dir, Map.of(), "run", "--verticles", "gateway").redirectErrorStream(true).start();
    String qout = new String(q.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(q.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(q.exitValue()).isNotZero();
    assertThat(qout).contains("unknown verticle 'gateway'");
  }
}
