package io.courier.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.testing.Ports;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The packaged jar as a user runs it: `courier run` with nothing configured generates a dev secret,
 * `courier token` signs with it, two users exchange a message, logs are JSON lines without the
 * token, and SIGTERM drains the node (reconnect hint, 1012) and ends the process with status 0; so does
 * the admin drain call.
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
        "COURIER_JWT_SECRET_FILE", dir.resolve("secret/jwt-secret").toString(),
        "COURIER_DRAIN_GRACE_MS", "1500");
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
      // This node runs the default warm-up (COURIER_WARMUP_MS): its loopback users' lines carry the
      // throwaway node's id, warmup-…; the clients' lines are the node's own.
      assertThat(logs).contains("\"warm-up done\"");
      JsonObject connected = logs.lines().filter(l -> l.startsWith("{")).map(JsonObject::new)
          .filter(j -> "connected".equals(j.getString("message")))
          .filter(j -> !j.getString("nodeId", "").startsWith("warmup-")).findFirst().orElseThrow();
      assertThat(connected.getString("nodeId")).isNotBlank();
      assertThat(connected.getString("sessionId")).isNotBlank();
      assertThat(connected.getString("userId")).isIn("alice", "bob");

      assertThat(httpStatus(port, "GET", "/health/ready", null)).isEqualTo(200);
      try (WsProbe b = WsProbe.connect(vertx, port, bob)) {
        b.next("welcome");
        node.destroy(); // SIGTERM
        JsonObject hint = b.next("reconnect");
        assertThat(hint.getString("reason")).isEqualTo("draining");
        assertThat(hint.getLong("afterMs")).isBetween(0L, 1500L);
        assertThat(b.awaitClose()).isEqualTo((short) 1012);
      }
      assertThat(node.waitFor(30, TimeUnit.SECONDS)).as("node stops after the drain").isTrue();
      assertThat(node.exitValue()).as("exit status after a drain started by SIGTERM").isZero();
    } finally {
      vertx.close().await();
      if (node.isAlive()) {
        node.destroyForcibly();
        node.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void adminDrainEndsTheProcessWithStatusZero() throws Exception {
    Path dir = Files.createTempDirectory("courier-it-");
    int port = Ports.free();
    Map<String, String> env = Map.of(
        "COURIER_PORT", String.valueOf(port),
        "COURIER_HOST", "127.0.0.1",
        "COURIER_CLUSTER_PORT", String.valueOf(Ports.free()),
        "COURIER_CLUSTER_NAME", Ports.uniqueName("it-admin"),
        "COURIER_JWT_SECRET", "it-admin-" + UUID.randomUUID(),
        "COURIER_DRAIN_GRACE_MS", "1000");
    Path stderr = dir.resolve("node.err");
    Process node = courier(dir, env, "run").redirectOutput(dir.resolve("node.out").toFile())
        .redirectError(stderr.toFile()).start();
    try {
      awaitPort(port, node, stderr);
      String user = run(courier(dir, env, "token", "ops"));
      String admin = run(courier(dir, env, "token", "ops", "--roles", "admin", "--ttl", "5m"));
      assertThat(httpStatus(port, "POST", "/admin/drain", user)).isEqualTo(403);
      assertThat(httpStatus(port, "POST", "/admin/drain", admin)).isEqualTo(202);
      assertThat(node.waitFor(30, TimeUnit.SECONDS)).as("node stops after an admin drain").isTrue();
      assertThat(node.exitValue()).isZero();
    } finally {
      if (node.isAlive()) {
        node.destroyForcibly();
        node.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  /**
   * A production-like setup from the command line alone: ES256 tokens verified with a certificate,
   * TLS, tokens minted by `courier token --private-key`, a revocation over https.
   */
  @Test
  void publicKeyTokensOverTlsAndARevocation() throws Exception {
    Path dir = Files.createTempDirectory("courier-it-");
    io.courier.testing.OpenSsl.KeyAndCert signer = io.courier.testing.OpenSsl.selfSigned(dir, "signer", true);
    io.courier.testing.OpenSsl.KeyAndCert tls = io.courier.testing.OpenSsl.selfSigned(dir, "tls", false);
    int port = Ports.free();
    Map<String, String> env = Map.of(
        "COURIER_PORT", String.valueOf(port),
        "COURIER_HOST", "127.0.0.1",
        "COURIER_CLUSTER_PORT", String.valueOf(Ports.free()),
        "COURIER_CLUSTER_NAME", Ports.uniqueName("it-pk"),
        "COURIER_JWT_ALGORITHMS", "ES256",
        "COURIER_JWT_PUBLIC_KEY_FILE", signer.cert().toString(),
        "COURIER_JWT_SECRET_FILE", dir.resolve("never-created").toString(),
        "COURIER_TLS_CERT_FILE", tls.cert().toString(),
        "COURIER_TLS_KEY_FILE", tls.key().toString());
    Path stderr = dir.resolve("node.err");
    Process node = courier(dir, env, "run").redirectOutput(dir.resolve("node.out").toFile())
        .redirectError(stderr.toFile()).start();
    Vertx vertx = Vertx.vertx();
    try {
      awaitPort(port, node, stderr);
      assertThat(Files.exists(dir.resolve("never-created"))).as("no dev secret without HS256").isFalse();
      String alice = run(courier(dir, env, "token", "alice", "--private-key", signer.key().toString(), "--kid", "k1"));
      String admin = run(courier(dir, env, "token", "ops", "--roles", "admin", "--ttl", "5m",
          "--private-key", signer.key().toString(), "--alg", "ES256"));
      JsonObject header = new JsonObject(new String(java.util.Base64.getUrlDecoder().decode(alice.split("\\.")[0]),
          StandardCharsets.UTF_8));
      assertThat(header.getString("alg")).isEqualTo("ES256");
      assertThat(header.getString("kid")).isEqualTo("k1");

      io.vertx.core.net.PemTrustOptions trust = new io.vertx.core.net.PemTrustOptions().addCertPath(tls.cert().toString());
      try (WsProbe a = WsProbe.connect(vertx, new io.vertx.core.http.WebSocketClientOptions().setSsl(true)
          .setTrustOptions(trust), WsProbe.options(port, alice).setSsl(true))) {
        a.next("welcome");
        io.vertx.core.http.HttpClient https = vertx.createHttpClient(new io.vertx.core.http.HttpClientOptions()
            .setSsl(true).setTrustOptions(trust));
        int status = https.request(io.vertx.core.http.HttpMethod.POST, port, "127.0.0.1", "/admin/revoke")
            .compose(req -> req.putHeader("Authorization", "Bearer " + admin)
                .send(new JsonObject().put("user", "alice").encode()).map(r -> r.statusCode())).await();
        assertThat(status).isEqualTo(200);
        assertThat(a.awaitClose()).isEqualTo((short) 4003);
      }
    } finally {
      vertx.close().await();
      node.destroy();
      if (!node.waitFor(60, TimeUnit.SECONDS)) {
        node.destroyForcibly();
        node.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void tokenCommandRefusesWhatNodesWouldRefuse() throws Exception {
    Path dir = Files.createTempDirectory("courier-it-");
    io.courier.testing.OpenSsl.KeyAndCert ec = io.courier.testing.OpenSsl.selfSigned(dir, "ec", true);
    Map<String, String> env = Map.of("COURIER_JWT_SECRET", "it-" + UUID.randomUUID());
    assertThat(fails(courier(dir, env, "token", "u", "--ttl", "2d")))
        .contains("longer than COURIER_JWT_MAX_LIFETIME_S (86400s)");
    assertThat(fails(courier(dir, env, "token", "u", "--private-key", ec.key().toString(), "--alg", "RS256")))
        .contains("--alg RS256 does not match the key");
    assertThat(fails(courier(dir, env, "token", "u", "--kid", "k1"))).contains("--alg and --kid need --private-key");
    Path sec1 = dir.resolve("sec1.pem");
    io.courier.testing.OpenSsl.run(dir, List.of("openssl", "ec", "-in", ec.key().toString(), "-out", sec1.toString()));
    assertThat(fails(courier(dir, env, "token", "u", "--private-key", sec1.toString())))
        .contains("no PKCS#8 private key").contains("openssl pkcs8 -topk8");
  }

  /** Runs a command that must exit 2; returns its output. */
  private static String fails(ProcessBuilder pb) throws Exception {
    Process p = pb.redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isEqualTo(2);
    return out;
  }

  private static int httpStatus(int port, String method, String path, String bearer) throws Exception {
    HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + path).toURL().openConnection();
    c.setRequestMethod(method);
    c.setConnectTimeout(5000);
    c.setReadTimeout(10000);
    if (bearer != null) {
      c.setRequestProperty("Authorization", "Bearer " + bearer);
    }
    try {
      return c.getResponseCode();
    } finally {
      c.disconnect();
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

    Process r = courier(dir, Map.of("COURIER_JWT_SECRET", "it-" + UUID.randomUUID()), "token", "ops", "--roles", "root")
        .redirectErrorStream(true).start();
    String rout = new String(r.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(r.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(r.exitValue()).isEqualTo(2);
    assertThat(rout).contains("unknown role 'root' (known: admin, service)");
  }
}
