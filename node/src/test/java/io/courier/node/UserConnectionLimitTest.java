package io.courier.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.testing.Nodes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * COURIER_MAX_CONNECTIONS_PER_USER across a cluster of two nodes: N connections of one user are
 * served wherever they are, the next handshake gets 429 with Retry-After before any upgrade and the
 * open ones stay; a place frees when one closes. Concurrent handshakes on both nodes never pass the
 * limit together. A separate node shows that 0 means no limit.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UserConnectionLimitTest {
  @RegisterExtension
  static final Nodes<CourierNode> nodes = InProcessNodes.stoppedAtOnce("per-user").tokensLasting(Duration.ofMinutes(10));
  static final int LIMIT = 3;

  Vertx client;
  CourierNode a;
  CourierNode b;

  @BeforeAll
  void start() {
    CourierConfig cfg = nodes.config()
        .with(ConfigKeys.MAX_CONNECTIONS_PER_USER, LIMIT).with(ConfigKeys.GATEWAY_INSTANCES, 1);
    a = nodes.start(cfg.with(ConfigKeys.NODE_ID, "per-user-a"));
    b = nodes.start(Nodes.joining(cfg).with(ConfigKeys.NODE_ID, "per-user-b"));
    client = nodes.client();
  }

  private WsProbe connect(CourierNode node, String user) {
    WsProbe p = WsProbe.connect(client, node.port(), nodes.token(user));
    p.next("welcome");
    return p;
  }

  private UpgradeRejectedException refused(CourierNode node, String user) {
    WebSocketClient c = client.createWebSocketClient();
    try {
      c.connect(WsProbe.options(node.port(), nodes.token(user))).await();
      throw new AssertionError("handshake was accepted");
    } catch (UpgradeRejectedException e) {
      return e;
    } finally {
      c.close();
    }
  }

  private static void assertServes(WsProbe p) {
    p.send(new JsonObject().put("type", "ping").put("ref", "alive"));
    assertThat(p.next("pong").getString("ref")).isEqualTo("alive");
  }

  @Test
  void theLimitCountsConnectionsOnEveryNodeAndTheNextHandshakeGets429() {
    String user = "many-" + UUID.randomUUID();
    try (WsProbe p1 = connect(a, user); WsProbe p2 = connect(b, user); WsProbe p3 = connect(a, user)) {
      UpgradeRejectedException onA = refused(a, user);
      assertThat(onA.getStatus()).isEqualTo(429);
      assertThat(onA.getHeaders().get("Retry-After")).isEqualTo("30");
      assertThat(onA.getBody().toString()).isEqualTo("too many connections for this user");
      assertThat(refused(b, user).getStatus()).isEqualTo(429);
      // The newest is refused; the ones already open are untouched.
      for (WsProbe p : List.of(p1, p2, p3)) {
        assertServes(p);
      }
      // Another user is not affected by this one's count.
      try (WsProbe other = connect(b, "other-" + UUID.randomUUID())) {
        assertServes(other);
      }
      p2.close();
      // The place frees when presence has removed the closed connection.
      WsProbe again = awaitConnect(b, user);
      try (again) {
        assertServes(again);
        assertThat(refused(a, user).getStatus()).isEqualTo(429);
      }
    }
    assertThat(a.context().metrics().scrape())
        .containsPattern("courier_handshakes_refused_total\\{node=\"per-user-a\",reason=\"user_limit\"} [1-9]");
  }

  /** Connects once the user is under the limit again (presence removal follows the close). */
  private WsProbe awaitConnect(CourierNode node, String user) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      try {
        return connect(node, user);
      } catch (UpgradeRejectedException e) {
        assertThat(e.getStatus()).isEqualTo(429);
        if (System.nanoTime() > deadline) {
          throw new AssertionError("still refused 10 s after a connection closed");
        }
      }
    }
  }

  @Test
  void concurrentHandshakesOnBothNodesNeverPassTheLimitTogether() {
    String user = "racer-" + UUID.randomUUID();
    int attempts = 8;
    List<WebSocketClient> clients = new ArrayList<>();
    List<Future<WebSocket>> all = new ArrayList<>();
    for (int i = 0; i < attempts; i++) {
      WebSocketClient c = client.createWebSocketClient();
      clients.add(c);
      all.add(c.connect(WsProbe.options((i % 2 == 0 ? a : b).port(), nodes.token(user))));
    }
    // Wait for every attempt to finish, whichever way.
    Future.join(all).transform(ar -> Future.succeededFuture()).await();
    try {
      long ok = all.stream().filter(Future::succeeded).count();
      assertThat(ok).isEqualTo(LIMIT);
      assertThat(all.stream().filter(Future::failed))
          .allMatch(f -> f.cause() instanceof UpgradeRejectedException r && r.getStatus() == 429);
    } finally {
      clients.forEach(WebSocketClient::close);
    }
  }

  @Test
  void bridgeSocketsCountAsConnectionsAndOnePastTheLimitIsClosedWith1013() throws Exception {
    String user = "bridged-" + UUID.randomUUID();
    try (WsProbe p1 = connect(a, user); WsProbe p2 = connect(b, user);
         RawBridge third = RawBridge.open(client, a.port(), nodes.token(user))) {
      third.register(user);
      assertThat(third.nextType()).isEqualTo("welcome");
      assertThat(refused(b, user).getStatus()).as("the bridge socket took the last place").isEqualTo(429);
      try (RawBridge fourth = RawBridge.open(client, b.port(), nodes.token(user))) {
        assertThat(fourth.awaitClose()).isEqualTo((short) 1013);
        assertThat(fourth.closeReason()).isEqualTo("too many connections for this user");
      }
      assertServes(p1);
      assertServes(p2);
    }
  }

  @Test
  void zeroMeansNoLimit() {
    CourierConfig cfg = nodes.config()
        .with(ConfigKeys.MAX_CONNECTIONS_PER_USER, 0).with(ConfigKeys.GATEWAY_INSTANCES, 1);
    CourierNode open = nodes.start(cfg);
    List<WsProbe> probes = new ArrayList<>();
    try {
      String user = "unbounded-" + UUID.randomUUID();
      for (int i = 0; i < LIMIT + 2; i++) {
        probes.add(connect(open, user));
      }
      probes.forEach(UserConnectionLimitTest::assertServes);
    } finally {
      probes.forEach(WsProbe::close);
      open.close().await();
    }
    assertThat(CourierNode.start(cfg.with(ConfigKeys.MAX_CONNECTIONS_PER_USER, -1)).cause())
        .hasMessageContaining("COURIER_MAX_CONNECTIONS_PER_USER must be >= 0");
  }
}
