package io.courier.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.protocol.MetricNames;
import io.courier.testing.Nodes;
import io.courier.testing.Ports;
import io.courier.tokens.TokenIssuer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Prometheus endpoint after real traffic, per-node labels of two nodes in one JVM, the
 * connection limit at its edge, and the admin connection endpoints' 401/403/200.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsTest {
  @RegisterExtension
  static final Nodes<CourierNode> nodes = InProcessNodes.stoppedAtOnce("metrics");
  static final int LIMIT = 2;

  Vertx client;
  HttpClient http;
  /** Gateway, delivery and presence. */
  CourierNode a;
  /** Delivery and presence only, joined to A, scraped on COURIER_METRICS_PORT. */
  CourierNode b;
  int bMetricsPort;
  /** A cluster of its own with COURIER_MAX_CONNECTIONS = LIMIT. */
  CourierNode full;

  @BeforeAll
  void start() {
    CourierConfig cfg = nodes.config()
        .with(ConfigKeys.GATEWAY_INSTANCES, 1);
    a = nodes.start(cfg.with(ConfigKeys.NODE_ID, "metrics-a"));
    bMetricsPort = Ports.free();
    b = nodes.start(Nodes.joining(cfg).with(ConfigKeys.NODE_ID, "metrics-b")
        .with(ConfigKeys.VERTICLES, "delivery,presence").with(ConfigKeys.METRICS_PORT, bMetricsPort));
    full = nodes.start(nodes.config()
        .with(ConfigKeys.GATEWAY_INSTANCES, 1).with(ConfigKeys.NODE_ID, "metrics-full")
        .with(ConfigKeys.MAX_CONNECTIONS, LIMIT));
    client = nodes.client();
    http = client.createHttpClient();
  }

  @Test
  void countersAndLatencyQuantilesMoveWithAMessageExchange() {
    String alice = "alice-" + UUID.randomUUID();
    String bob = "bob-" + UUID.randomUUID();
    Scrape before = scrape(a.port());
    double sendsBefore = before.value("courier_frames_in_total", "type=\"send\"");
    try (WsProbe al = connect(a, alice); WsProbe bo = connect(a, bob)) {
      al.send(new JsonObject().put("type", "send").put("id", "m1").put("to", bob).put("body", "hi"));
      al.next("sent");
      long seq = bo.next("msg").getLong("seq");
      bo.send(new JsonObject().put("type", "ack").put("seq", seq));
      Scrape after = awaitScrape(a.port(), s -> s.value("courier_delivery_latency_seconds_count",
          "stage=\"acked\"") >= 1);
      assertThat(after.value("courier_frames_in_total", "type=\"send\"")).isEqualTo(sendsBefore + 1);
      assertThat(after.value("courier_frames_out_total", "type=\"msg\"")).isGreaterThanOrEqualTo(1);
      assertThat(after.value("courier_frames_out_total", "type=\"welcome\"")).isGreaterThanOrEqualTo(2);
      assertThat(after.value("courier_connections", "")).isEqualTo(2);
      assertThat(after.value("courier_connection_capacity_ratio", "")).isEqualTo(2.0 / 10000);
      assertThat(after.value("courier_delivery_latency_seconds_count", "stage=\"delivered\"")).isGreaterThanOrEqualTo(1);
      for (String q : List.of("0.5", "0.95", "0.99")) {
        assertThat(after.has("courier_delivery_latency_seconds", "stage=\"acked\"", "quantile=\"" + q + "\""))
            .as("acked latency quantile " + q).isTrue();
      }
      assertThat(after.value("courier_routing_latency_seconds_count", "")).isGreaterThanOrEqualTo(1);
      assertThat(after.value("courier_unacked_messages", "")).isEqualTo(0);
      // The store call was served by the delivery verticle of A or of B.
      double appends = after.value("courier_store_latency_seconds_count", "op=\"append\"")
          + scrape(bMetricsPort).value("courier_store_latency_seconds_count", "op=\"append\"");
      assertThat(appends).isGreaterThanOrEqualTo(1);
    }
    // Bob comes back with his position: a reconnect. His earlier connection closed with 1000.
    try (WsProbe bo = connect(a, bob)) {
      bo.send(new JsonObject().put("type", "sync").put("after", 1));
      bo.next("synced");
      Scrape s = awaitScrape(a.port(), x -> x.value("courier_reconnects_total", "") >= 1
          && x.value("courier_connections_closed_total", "code=\"1000\"") >= 2);
      assertThat(s.value("courier_syncs_total", "")).isGreaterThanOrEqualTo(1);
      assertThat(s.value("courier_connection_duration_seconds_count", "")).isGreaterThanOrEqualTo(2);
    }
  }

  /**
   * A runs every verticle, B only delivery and presence: sends made on A's gateway are stored by A's
   * own delivery verticle (no cluster hop), never round robin through B's.
   */
  @Test
  void aNodeThatRunsDeliveryStoresItsOwnGatewaysSends() {
    String append = "op=\"append\"";
    double onA = Math.max(0, scrape(a.port()).value("courier_store_latency_seconds_count", append));
    double onB = Math.max(0, scrape(bMetricsPort).value("courier_store_latency_seconds_count", append));
    String alice = "local-alice-" + UUID.randomUUID();
    String bob = "local-bob-" + UUID.randomUUID();
    try (WsProbe al = connect(a, alice); WsProbe bo = connect(a, bob)) {
      for (int i = 0; i < 10; i++) {
        al.send(new JsonObject().put("type", "send").put("id", "l" + i).put("to", bob).put("body", i));
        al.next("sent");
      }
    }
    awaitScrape(a.port(), x -> x.value("courier_store_latency_seconds_count", append) >= onA + 10);
    assertThat(Math.max(0, scrape(bMetricsPort).value("courier_store_latency_seconds_count", append))).isEqualTo(onB);
  }

  @Test
  void theMetricsPortServesLivenessAndMetricsOnly() {
    HttpClientResponse metrics = http.request(HttpMethod.GET, bMetricsPort, "127.0.0.1", "/metrics")
        .compose(r -> r.send()).await();
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.getHeader("Content-Type")).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
    assertThat(metrics.getHeader("Cache-Control")).isEqualTo("no-store");
    Http.Reply live = Http.call(http, HttpMethod.GET, bMetricsPort, "/health/live", null, null);
    assertThat(live.status()).isEqualTo(200);
    assertThat(live.json().getString("status")).isEqualTo("UP");
    assertThat(live.json().getString("nodeId")).isEqualTo("metrics-b");
    HttpClientResponse post = http.request(HttpMethod.POST, bMetricsPort, "127.0.0.1", "/metrics")
        .compose(r -> r.send()).await();
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.getHeader("Allow")).isEqualTo("GET");
    assertThat(Http.call(http, HttpMethod.GET, bMetricsPort, "/admin/connections", null, null).status()).isEqualTo(404);
    assertThat(Http.call(http, HttpMethod.GET, bMetricsPort, "/health/ready", null, null).status()).isEqualTo(404);
  }

  @Test
  void twoNodesInOneJvmEachExportOnlyTheirOwnLabel() {
    try (WsProbe p = connect(a, "label-" + UUID.randomUUID())) {
      Scrape onA = scrape(a.port());
      Scrape onB = scrape(bMetricsPort);
      assertThat(onA.courierLines()).isNotEmpty().allMatch(l -> l.contains("node=\"metrics-a\""));
      assertThat(onB.courierLines()).isNotEmpty().allMatch(l -> l.contains("node=\"metrics-b\""));
      assertThat(onA.value("courier_cluster_members", "")).isEqualTo(2);
      assertThat(onB.value("courier_cluster_members", "")).isEqualTo(2);
      assertThat(onA.value("courier_connections", "")).isGreaterThanOrEqualTo(1);
      assertThat(onB.has("courier_connections", "")).as("no gateway on B").isFalse();
      assertThat(onB.has("courier_event_loop_lag_seconds_count", "")).isTrue();
      assertThat(onB.names()).as("Vert.x and JVM meters of B in B's registry")
          .anyMatch(n -> n.startsWith("vertx_")).anyMatch(n -> n.startsWith("jvm_"));
    }
  }

  @Test
  void atTheConnectionLimitTheNextHandshakeGets503WithRetryAfter() {
    awaitScrape(full.port(), s -> s.value("courier_connections", "") == 0);
    double refusedBefore = scrape(full.port()).value("courier_handshakes_refused_total", "reason=\"limit\"");
    WsProbe first = connect(full, "l1-" + UUID.randomUUID());
    try (WsProbe second = connect(full, "l2-" + UUID.randomUUID())) {
      UpgradeRejectedException refused = refusedHandshake(full.port(), nodes.token("l3-" + UUID.randomUUID()));
      assertThat(refused.getStatus()).isEqualTo(503);
      assertThat(refused.getHeaders().get("Retry-After")).isEqualTo("5");
      Scrape s = scrape(full.port());
      assertThat(s.value("courier_connection_capacity_ratio", "")).isEqualTo(1.0);
      assertThat(s.value("courier_handshakes_refused_total", "reason=\"limit\"")).isEqualTo(refusedBefore + 1);
      // A place freed is a place taken again.
      first.close();
      awaitScrape(full.port(), x -> x.value("courier_connections", "") == LIMIT - 1);
      try (WsProbe third = connect(full, "l4-" + UUID.randomUUID())) {
        assertThat(third.isClosed()).isFalse();
      }
    } finally {
      first.close();
    }
  }

  @Test
  void adminConnectionEndpointsNeedAnAdminToken() {
    String user = "multi-" + UUID.randomUUID();
    String admin = TokenIssuer.issue(nodes.secret(), "ops", Duration.ofMinutes(5), List.of(), List.of("admin"));
    try (WsProbe p1 = WsProbe.connect(client, a.port(), nodes.token(user));
         WsProbe p2 = WsProbe.connect(client, a.port(), nodes.token(user))) {
      String s1 = p1.next("welcome").getString("sessionId");
      String s2 = p2.next("welcome").getString("sessionId");
      for (String path : List.of("/admin/connections", "/admin/users/" + user)) {
        assertThat(get(a.port(), path, null).status).as(path + " without a token").isEqualTo(401);
        String forged = TokenIssuer.issue("another-secret-of-the-right-length-" + UUID.randomUUID(), "ops", Duration.ofMinutes(5), List.of(), List.of("admin"));
        assertThat(get(a.port(), path, forged).status).as(path + " forged").isEqualTo(401);
        assertThat(get(a.port(), path, nodes.token("ops")).status).as(path + " without the role").isEqualTo(403);
      }
      Reply conns = get(a.port(), "/admin/connections", admin);
      assertThat(conns.status).isEqualTo(200);
      JsonObject c = new JsonObject(conns.body);
      assertThat(c.getString("nodeId")).isEqualTo("metrics-a");
      assertThat(c.getInteger("connections")).isGreaterThanOrEqualTo(2);
      assertThat(c.getInteger("limit")).isEqualTo(10000);
      assertThat(c.getJsonArray("topUsers").getJsonObject(0))
          .isEqualTo(new JsonObject().put("userId", user).put("connections", 2));

      Reply one = get(a.port(), "/admin/users/" + user, admin);
      assertThat(one.status).isEqualTo(200);
      JsonObject u = new JsonObject(one.body);
      assertThat(u.getBoolean("online")).isTrue();
      JsonArray list = u.getJsonArray("connections");
      assertThat(list.stream().map(o -> ((JsonObject) o).getString("sessionId"))).containsExactlyInAnyOrder(s1, s2);
      assertThat(list.stream().map(o -> ((JsonObject) o).getString("nodeId"))).containsOnly("metrics-a");
      assertThat(list.stream().map(o -> ((JsonObject) o).getLong("since"))).allMatch(t -> t > 0);
      assertThat(new JsonObject(get(a.port(), "/admin/users/nobody-" + UUID.randomUUID(), admin).body)
          .getBoolean("online")).isFalse();
    }
  }

  /**
   * Every series the provisioned Grafana dashboard queries exists on running nodes (A with the
   * gateway, B scraped on its metrics port) after some traffic, so no panel stays empty by a typo.
   */
  @Test
  void everyMetricTheDashboardQueriesExists() throws Exception {
    java.nio.file.Path dashboard = repoFile("compose/grafana/dashboards/courier.json");
    JsonObject d = new JsonObject(java.nio.file.Files.readString(dashboard));
    java.util.Set<String> queried = new java.util.TreeSet<>();
    java.util.regex.Pattern name = java.util.regex.Pattern.compile("\\b(?:courier|jvm|vertx|process)_[a-zA-Z0-9_]+");
    for (Object p : d.getJsonArray("panels")) {
      for (Object t : ((JsonObject) p).getJsonArray("targets")) {
        java.util.regex.Matcher m = name.matcher(((JsonObject) t).getString("expr"));
        while (m.find()) {
          queried.add(m.group());
        }
      }
    }
    assertThat(queried).hasSizeGreaterThan(20);
    String user = "dash-" + UUID.randomUUID();
    try (WsProbe p = connect(a, user)) {
      p.send(new JsonObject().put("type", "send").put("id", "d1").put("to", user).put("body", "x"));
      p.next("sent");
      p.send(new JsonObject().put("type", "ack").put("seq", p.next("msg").getLong("seq")));
    }
    awaitScrape(a.port(), s -> s.has("courier_connections_closed_total"));
    java.util.Set<String> exported = new java.util.HashSet<>(scrape(a.port()).names());
    exported.addAll(scrape(bMetricsPort).names());
    assertThat(exported).containsAll(queried);
    // And every name MetricNames promises is exported (a timer at least as its _count series).
    assertThat(MetricNames.PROMETHEUS).allMatch(n -> exported.contains(n) || exported.contains(n + "_count"));
  }

  private static java.nio.file.Path repoFile(String relative) {
    java.nio.file.Path dir = java.nio.file.Path.of("").toAbsolutePath();
    while (dir != null && !java.nio.file.Files.exists(dir.resolve(relative))) {
      dir = dir.getParent();
    }
    assertThat(dir).as(relative + " above the working directory").isNotNull();
    return dir.resolve(relative);
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private WsProbe connect(CourierNode node, String user) {
    WsProbe p = WsProbe.connect(client, node.port(), nodes.token(user));
    p.next("welcome");
    return p;
  }

  private UpgradeRejectedException refusedHandshake(int port, String token) {
    WebSocketClient c = client.createWebSocketClient();
    try {
      c.connect(WsProbe.options(port, token)).await();
      throw new AssertionError("handshake was accepted");
    } catch (UpgradeRejectedException e) {
      return e;
    } finally {
      c.close();
    }
  }

  record Reply(int status, String body) {}

  private Reply get(int port, String path, String bearer) {
    return http.request(HttpMethod.GET, port, "127.0.0.1", path).compose(req -> {
      if (bearer != null) {
        req.putHeader("Authorization", "Bearer " + bearer);
      }
      return req.send().compose(resp -> resp.body().map(body -> new Reply(resp.statusCode(), body.toString())));
    }).await();
  }

  Scrape scrape(int port) {
    Reply r = get(port, "/metrics", null);
    assertThat(r.status).isEqualTo(200);
    return new Scrape(r.body);
  }

  Scrape awaitScrape(int port, Predicate<Scrape> condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    Scrape s = scrape(port);
    while (!condition.test(s)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("metrics never met the condition:\n" + String.join("\n", s.courierLines()));
      }
      client.timer(50).await();
      s = scrape(port);
    }
    return s;
  }

  /** One scrape in the Prometheus text format. */
  static {
    // The names the docs and dashboard use come from MetricNames; keep the test honest about it.
    assert MetricNames.counter(MetricNames.RECONNECTS).equals("courier_reconnects_total");
  }
}
