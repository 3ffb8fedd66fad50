package io.courier.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.testing.Nodes;
import io.courier.tokens.TokenIssuer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Draining a node over real WebSockets, in a cluster of two: node B stays up, each test drains a
 * node A of its own (a drain is one-way) with a short grace period.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DrainTest {
  @RegisterExtension
  static final Nodes<CourierNode> nodes = InProcessNodes.stoppedAtOnce("drain");
  static final long GRACE_MS = 2000;

  CourierConfig base;
  Vertx client;
  HttpClient http;
  CourierNode b;

  @BeforeAll
  void start() {
    base = nodes.config();
    b = nodes.start(base.with(ConfigKeys.GATEWAY_INSTANCES, 1).with(ConfigKeys.NODE_ID, "b"));
    client = nodes.client();
    http = client.createHttpClient();
  }

  /**
   * A node A joined to B, with two gateway instances so the drain must be node-wide. The test stops
   * it; the extension's stop after the test finds it stopped, or stops it if the test could not.
   */
  private CourierNode startA(String nodeId) {
    CourierConfig cfg = Nodes.joining(base)
        .with(ConfigKeys.GATEWAY_INSTANCES, 2)
        .with(ConfigKeys.DRAIN_GRACE_MS, GRACE_MS)
        .with(ConfigKeys.NODE_ID, nodeId);
    return nodes.start(cfg);
  }

  record Reply(int status, String retryAfter, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  private Reply call(HttpMethod method, int port, String path, String bearer) {
    return http.request(method, port, "127.0.0.1", path).compose(req -> {
      if (bearer != null) {
        req.putHeader("Authorization", "Bearer " + bearer);
      }
      return req.send().compose(resp -> resp.body()
          .map(body -> new Reply(resp.statusCode(), resp.getHeader("Retry-After"), body.toString())));
    }).await();
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

  private static <T> T within(Future<T> f, Duration d) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(d.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Test
  void drainSpreadsReconnectHintsRefusesNewcomersAndClosesTheRestWith1012() throws Exception {
    CourierNode a = startA("a-spread");
    List<WsProbe> probes = new ArrayList<>();
    try {
      assertThat(call(HttpMethod.GET, a.port(), "/health/ready", null).status()).isEqualTo(200);
      List<String> users = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        String user = "spread-" + i;
        users.add(user);
        WsProbe p = WsProbe.connect(client, a.port(), nodes.token(user));
        probes.add(p);
        p.next("welcome");
      }
      assertThat(a.connections()).isEqualTo(6);

      Future<Void> drained = a.drain();

      Set<Long> afters = new HashSet<>();
      for (WsProbe p : probes) {
        JsonObject hint = p.next("reconnect");
        assertThat(hint.getString("reason")).isEqualTo("draining");
        assertThat(hint.getLong("afterMs")).isBetween(0L, GRACE_MS);
        afters.add(hint.getLong("afterMs"));
      }
      assertThat(afters).as("afterMs spread over the grace period").hasSizeGreaterThan(1);

      UpgradeRejectedException refused = refusedHandshake(a.port(), nodes.token("newcomer"));
      assertThat(refused.getStatus()).isEqualTo(503);
      assertThat(Integer.parseInt(refused.getHeaders().get("Retry-After"))).isBetween(1, 5);

      Reply ready = call(HttpMethod.GET, a.port(), "/health/ready", null);
      assertThat(ready.status()).isEqualTo(503);
      assertThat(ready.json().getString("status")).isEqualTo("DOWN");
      assertThat(ready.json().getJsonObject("checks").getJsonObject("accepting").getString("status")).isEqualTo("DOWN");
      assertThat(ready.json().getJsonObject("checks").getJsonObject("store").getString("status")).isEqualTo("UP");
      assertThat(call(HttpMethod.GET, a.port(), "/health/live", null).status()).isEqualTo(200);

      // Half the clients leave on their own, as told; the rest are closed at the end of the grace.
      for (int i = 0; i < 3; i++) {
        probes.get(i).close();
      }
      for (int i = 3; i < 6; i++) {
        assertThat(probes.get(i).awaitClose()).isEqualTo((short) 1012);
      }
      within(drained, Duration.ofMillis(GRACE_MS + 5000));
      assertThat(a.connections()).isZero();

      // The cluster no longer lists any device of the drained node.
      try (WsProbe observer = WsProbe.connect(client, b.port(), nodes.token("observer"))) {
        observer.next("welcome");
        observer.send(new JsonObject().put("type", "presence").put("users", users));
        JsonObject states = observer.next("presence").getJsonObject("users");
        for (String u : users) {
          assertThat(states.getJsonObject(u).getBoolean("online")).as(u).isFalse();
        }
      }
    } finally {
      probes.forEach(WsProbe::close);
      a.closeNow().await();
    }
  }

  @Test
  void messageSentWhileTheRecipientReconnectsIsNotLost() throws Exception {
    CourierNode a = startA("a-lossless");
    try (WsProbe sender = WsProbe.connect(client, b.port(), nodes.token("lossless-sender"))) {
      sender.next("welcome");
      WsProbe onA = WsProbe.connect(client, a.port(), nodes.token("lossless-rcpt"));
      long lastSeq;
      try {
        lastSeq = onA.next("welcome").getLong("lastSeq");
        a.drain();
        onA.next("reconnect");
        // The client goes, as told; a message is sent while it has no connection.
        onA.close();
        sender.send(new JsonObject().put("type", "send").put("id", "while-away").put("to", "lossless-rcpt")
            .put("body", "sent during the drain"));
        sender.next("sent");
      } finally {
        onA.close();
      }
      try (WsProbe onB = WsProbe.connect(client, b.port(), nodes.token("lossless-rcpt"))) {
        JsonObject welcome = onB.next("welcome");
        onB.send(new JsonObject().put("type", "sync").put("after", lastSeq).put("epoch", welcome.getString("epoch")));
        JsonObject msg = onB.next("msg");
        assertThat(msg.getString("id")).isEqualTo("while-away");
        assertThat(msg.getString("body")).isEqualTo("sent during the drain");
        onB.next("synced");
      }
      within(a.drained(), Duration.ofMillis(GRACE_MS + 5000));
    } finally {
      a.closeNow().await();
    }
  }

  @Test
  void adminDrainNeedsAnAdminTokenAndIsIdempotent() throws Exception {
    CourierNode a = startA("a-admin");
    try {
      Reply ready = call(HttpMethod.GET, a.port(), "/health/ready", null);
      assertThat(ready.status()).isEqualTo(200);
      assertThat(ready.json().getString("status")).isEqualTo("UP");
      assertThat(ready.json().getJsonObject("checks").fieldNames()).containsExactlyInAnyOrder("accepting", "cluster", "store");

      assertThat(call(HttpMethod.POST, a.port(), "/admin/drain", null).status()).isEqualTo(401);
      String forged = TokenIssuer.issue("another-secret-of-the-right-length-" + UUID.randomUUID(), "ops", Duration.ofMinutes(5), List.of(), List.of("admin"));
      assertThat(call(HttpMethod.POST, a.port(), "/admin/drain", forged).status()).isEqualTo(401);
      Reply noRole = call(HttpMethod.POST, a.port(), "/admin/drain", nodes.token("ops"));
      assertThat(noRole.status()).isEqualTo(403);
      assertThat(a.isDraining()).isFalse();
      assertThat(call(HttpMethod.GET, a.port(), "/health/ready", null).status()).isEqualTo(200);

      String admin = TokenIssuer.issue(nodes.secret(), "ops", Duration.ofMinutes(5), List.of(), List.of("admin"));
      try (WsProbe p = WsProbe.connect(client, a.port(), nodes.token("admin-watched"))) {
        p.next("welcome");
        Reply first = call(HttpMethod.POST, a.port(), "/admin/drain", admin);
        assertThat(first.status()).isEqualTo(202);
        assertThat(first.json().getBoolean("alreadyDraining")).isFalse();
        assertThat(first.json().getLong("graceMs")).isEqualTo(GRACE_MS);
        Reply again = call(HttpMethod.POST, a.port(), "/admin/drain", admin);
        assertThat(again.status()).isEqualTo(202);
        assertThat(again.json().getBoolean("alreadyDraining")).isTrue();
        assertThat(p.next("reconnect").getLong("afterMs")).isBetween(0L, GRACE_MS);
        assertThat(call(HttpMethod.GET, a.port(), "/health/ready", null).status()).isEqualTo(503);
        assertThat(p.awaitClose()).isIn((short) 1012);
      }
      within(a.drained(), Duration.ofMillis(GRACE_MS + 5000));
    } finally {
      a.closeNow().await();
    }
  }

  @Test
  void drainSettingsOutOfRangeAreRefusedAtStart() {
    CourierConfig cfg = nodes.config();
    assertThat(CourierNode.start(cfg.with(ConfigKeys.DRAIN_GRACE_MS, -1)).cause())
        .hasMessageContaining("COURIER_DRAIN_GRACE_MS must be >= 0");
    assertThat(CourierNode.start(cfg.with(ConfigKeys.HEALTH_TIMEOUT_MS, 0)).cause())
        .hasMessageContaining("COURIER_HEALTH_TIMEOUT_MS must be > 0");
  }

  @Test
  void readinessNamesTheStoreWhenNoDeliveryAnswers() {
    // A node of its own running only the gateway: nothing serves the store.
    CourierConfig cfg = nodes.config()
        .with(ConfigKeys.VERTICLES, "connection").with(ConfigKeys.GATEWAY_INSTANCES, 1)
        .with(ConfigKeys.HEALTH_TIMEOUT_MS, 500);
    CourierNode lone = CourierNode.start(cfg).await();
    try {
      Reply ready = call(HttpMethod.GET, lone.port(), "/health/ready", null);
      assertThat(ready.status()).isEqualTo(503);
      JsonObject checks = ready.json().getJsonObject("checks");
      assertThat(checks.getJsonObject("store").getString("status")).isEqualTo("DOWN");
      assertThat(checks.getJsonObject("store").getString("reason")).isNotBlank();
      assertThat(checks.getJsonObject("cluster").getString("status")).isEqualTo("UP");
      assertThat(checks.getJsonObject("accepting").getString("status")).isEqualTo("UP");
      assertThat(call(HttpMethod.GET, lone.port(), "/health/live", null).status()).isEqualTo(200);
    } finally {
      lone.close().await();
    }
  }
}
