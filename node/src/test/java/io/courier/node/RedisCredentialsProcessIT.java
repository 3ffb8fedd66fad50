package io.courier.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.testing.Nodes;
import io.courier.testing.OpenSsl;
import io.courier.testing.Ports;
import io.courier.testing.RedisServer;
import io.courier.tokens.TokenIssuer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Node processes on a Redis that wants credentials: with the password ({@code requirepass}) or an
 * ACL user in {@code COURIER_REDIS_URL} they serve messages; with a wrong or missing one they stop
 * at start with a message naming the setting. Over {@code rediss://} with the CA in
 * {@code COURIER_REDIS_TLS_CA_FILE} they serve; without the CA they stop naming that setting. No
 * password shows in any log line, error, readiness body or metric.
 */
class RedisCredentialsProcessIT {
  private static final String PASSWORD = "pw-" + UUID.randomUUID();
  private static final String ACL_PASSWORD = "acl-" + UUID.randomUUID();
  private static final String WRONG = "wrong-" + UUID.randomUUID();
  /** Closes what each test started, last first, and the clients' Vert.x after them. */
  @RegisterExtension
  static final Nodes<CourierNode> nodes = InProcessNodes.named("redis-credentials");

  private Vertx vertx;
  private HttpClient http;
  @TempDir
  Path dir;

  @BeforeEach
  void clients() {
    vertx = nodes.client();
    http = vertx.createHttpClient();
  }

  private NodeProcess node(String name, String url, Map<String, String> extra) {
    ProcessCluster cluster = nodes.add(new ProcessCluster(name,
        Map.of("COURIER_STORE", "redis", "COURIER_REDIS_URL", url)));
    return cluster.start(name, "connection,delivery,presence", extra);
  }

  @Test
  void aPasswordOrAnAclUserWorksAWrongOrMissingOneStopsTheNodeNamingTheSetting() throws Exception {
    RedisServer redis = nodes.add(RedisServer.start(Ports.free(), null, "--appendfsync", "always",
        "--requirepass", PASSWORD, "--user", "courier", "on", ">" + ACL_PASSWORD, "~*", "&*", "+@all"));
    String at = "@127.0.0.1:" + redis.port() + "/0";
    NodeProcess withPassword = node("redis-pw", "redis://:" + PASSWORD + at, Map.of());
    NodeProcess withUser = node("redis-acl", "redis://courier:" + ACL_PASSWORD + at, Map.of());
    NodeProcess wrong = node("redis-wrongpw", "redis://:" + WRONG + at, Map.of());
    NodeProcess missing = node("redis-nopw", redis.url(), Map.of());

    for (NodeProcess refused : List.of(wrong, missing)) {
      assertThat(refused.awaitExit(Duration.ofSeconds(120))).as(refused.nodeId()).isNotZero();
      assertThat(refused.stderrText()).as(refused.nodeId()).contains("node failed to start")
          .contains("Redis refused the credentials in COURIER_REDIS_URL");
    }
    assertThat(wrong.stderrText()).contains("redis://:***" + at).doesNotContain(WRONG);
    assertNoSecretIn(wrong, WRONG);

    for (NodeProcess serving : List.of(withPassword, withUser)) {
      serving.awaitStarted(Duration.ofSeconds(90));
      assertThat(awaitReady(serving)).doesNotContain(PASSWORD).doesNotContain(ACL_PASSWORD);
      assertDelivers(serving, "");
      String metrics = Http.call(http, HttpMethod.GET, serving.port(), "/metrics", null, null).body();
      assertThat(metrics).contains("courier_").doesNotContain(PASSWORD).doesNotContain(ACL_PASSWORD);
    }
    assertThat(withPassword.findLog("node started", j -> true).orElseThrow().getString("redis"))
        .isEqualTo("redis://:***" + at);
    assertThat(withUser.findLog("node started", j -> true).orElseThrow().getString("redis"))
        .isEqualTo("redis://courier:***" + at);
    // A Redis that goes away and comes back: the reconnect errors are logged without the password.
    redis.kill();
    nodes.add(RedisServer.start(redis.port(), redis.dir(), "--appendfsync", "always", "--requirepass", PASSWORD,
        "--user", "courier", "on", ">" + ACL_PASSWORD, "~*", "&*", "+@all"));
    withPassword.awaitLog("Redis connection restored", j -> true, Duration.ofSeconds(30));
    awaitReady(withPassword);
    assertDelivers(withPassword, "after-restart-");
    assertNoSecretIn(withPassword, PASSWORD);
    assertNoSecretIn(withUser, ACL_PASSWORD);
    assertThat(courierConfig("redis://courier:" + ACL_PASSWORD + at)).contains("'redis://courier:***" + at + "'")
        .doesNotContain(ACL_PASSWORD);
  }

  /** What {@code courier config} prints with this COURIER_REDIS_URL. */
  private Path configOut;

  private String courierConfig(String url) throws Exception {
    configOut = Files.createTempFile(dir, "config", ".out");
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Main.class.getName(), "config")
        .redirectErrorStream(true).redirectOutput(configOut.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("COURIER_"));
    pb.environment().put("COURIER_REDIS_URL", url);
    Process p = pb.start();
    assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    return Files.readString(configOut);
  }

  @Test
  void redissWorksWithTheCaFileAndStopsTheNodeWithoutIt() throws Exception {
    OpenSsl.Ca ca = OpenSsl.ca(dir, "redis");
    OpenSsl.KeyAndCert server = OpenSsl.signed(dir, ca, "redis-server");
    int port = Ports.free();
    nodes.add(RedisServer.start(port, Files.createDirectories(dir.resolve("redis")), "--port", "0",
        "--tls-port", String.valueOf(port), "--tls-cert-file", server.cert().toString(),
        "--tls-key-file", server.key().toString(), "--tls-ca-cert-file", ca.cert().toString(),
        "--tls-auth-clients", "no", "--appendfsync", "always", "--requirepass", PASSWORD));
    String url = "rediss://:" + PASSWORD + "@127.0.0.1:" + port + "/0";
    NodeProcess trusted = node("redis-tls", url, Map.of("COURIER_REDIS_TLS_CA_FILE", ca.cert().toString()));
    NodeProcess untrusted = node("redis-tls-noca", url, Map.of());

    assertThat(untrusted.awaitExit(Duration.ofSeconds(120))).isNotZero();
    assertThat(untrusted.stderrText()).contains("TLS with Redis failed for COURIER_REDIS_URL")
        .contains("COURIER_REDIS_TLS_CA_FILE").contains("rediss://:***@127.0.0.1:" + port);
    assertNoSecretIn(untrusted, PASSWORD);

    trusted.awaitStarted(Duration.ofSeconds(90));
    awaitReady(trusted);
    assertDelivers(trusted, "tls-");
    assertNoSecretIn(trusted, PASSWORD);
  }

  /** A message from one user to another through the node, read back by the recipient's sync. */
  private void assertDelivers(NodeProcess node, String prefix) {
    String run = prefix + UUID.randomUUID().toString().substring(0, 8);
    String secret = node.env().get("COURIER_JWT_SECRET");
    WsProbe a = nodes.add(WsProbe.connect(vertx, node.port(),
        TokenIssuer.issue(secret, "alice-" + run, Duration.ofMinutes(5), List.of())));
    a.next("welcome");
    a.send(new JsonObject().put("type", "send").put("id", "m-" + run).put("to", "bob-" + run)
        .put("body", new JsonObject().put("text", "hi")));
    JsonObject answer = a.next(f -> "sent".equals(f.getString("type")) || "error".equals(f.getString("type")),
        Duration.ofSeconds(30));
    assertThat(answer.getString("type")).as(answer.encode()).isEqualTo("sent");
    WsProbe b = nodes.add(WsProbe.connect(vertx, node.port(),
        TokenIssuer.issue(secret, "bob-" + run, Duration.ofMinutes(5), List.of())));
    assertThat(b.next("welcome").getLong("lastSeq")).isEqualTo(1L);
    b.send(new JsonObject().put("type", "sync").put("after", 0));
    assertThat(b.next("msg").getString("id")).isEqualTo("m-" + run);
  }

  /** The body of a 200 /health/ready, waited for. */
  private String awaitReady(NodeProcess node) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    Http.Reply r;
    while ((r = Http.call(http, HttpMethod.GET, node.port(), "/health/ready", null, null)).status() != 200) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not ready: " + r.body() + "\n" + node.diagnostics());
      }
      NodeProcess.pause(100);
    }
    return r.body();
  }

  private static void assertNoSecretIn(NodeProcess node, String secret) throws Exception {
    assertThat(Files.readString(node.stdout())).as(node.nodeId() + " stdout").doesNotContain(secret);
    assertThat(node.stderrText()).as(node.nodeId() + " stderr").doesNotContain(secret);
  }
}
