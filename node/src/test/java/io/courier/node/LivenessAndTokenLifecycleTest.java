package io.courier.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.testing.Ports;
import io.courier.testing.TestCluster;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Heartbeats, idle close of a silent client, token_expiring, close 4001 at exp, in-band refresh. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LivenessAndTokenLifecycleTest {
  static final String SECRET = "life-secret-" + UUID.randomUUID();

  Vertx client;
  CourierNode node;

  @BeforeAll
  void start() {
    CourierConfig cfg = TestCluster.config(Ports.uniqueName("life"))
        .with(ConfigKeys.JWT_SECRET, SECRET)
        .with(ConfigKeys.HEARTBEAT_MS, 200)
        .with(ConfigKeys.IDLE_TIMEOUT_MS, 1000)
        .with(ConfigKeys.JWT_LEEWAY_S, 0)
        .with(ConfigKeys.TOKEN_EXPIRING_MS, 60000);
    node = CourierNode.start(cfg).await();
    client = Vertx.vertx();
  }

  @AfterAll
  void stop() {
    client.close().await();
    node.close().await();
  }

  private String token(String user, Duration ttl) {
    return TokenIssuer.issue(SECRET, user, ttl, List.of());
  }

  @Test
  void clientThatAnswersPingsStaysConnectedPastTheIdleTimeout() {
    try (WsProbe p = WsProbe.connect(client, node.port(), token("pinged", Duration.ofHours(1)))) {
      JsonObject w = p.next("welcome");
      assertThat(w.getLong("heartbeatMs")).isEqualTo(200);
      // The Vert.x client answers WebSocket pings with pongs; that alone keeps it alive.
      p.expectNone("never", Duration.ofMillis(2500));
      assertThat(p.isClosed()).isFalse();
    }
  }

  @Test
  void silentClientIsClosedAfterTheIdleTimeout() throws Exception {
    try (RawWebSocket raw = new RawWebSocket(node.port(), token("silent", Duration.ofHours(1)))) {
      assertThat(raw.awaitCloseCode(Duration.ofSeconds(5))).isEqualTo(1001);
    }
  }

  @Test
  void clientWebSocketPingsCountAsLiveness() throws Exception {
    try (RawWebSocket raw = new RawWebSocket(node.port(), token("pinger", Duration.ofHours(1)))) {
      // Past twice the idle timeout, kept alive by nothing but the client's own pings.
      for (int i = 0; i < 8; i++) {
        raw.sendPing();
        assertThat(raw.openAfter(Duration.ofMillis(300))).isTrue();
      }
      assertThat(raw.awaitCloseCode(Duration.ofSeconds(5))).isEqualTo(1001);
    }
  }

  @Test
  void tokenExpiringIsSentAndTheConnectionClosesWith4001AtExp() {
    try (WsProbe p = WsProbe.connect(client, node.port(), token("expiring", Duration.ofSeconds(3)))) {
      JsonObject w = p.next("welcome");
      JsonObject warn = p.next("token_expiring");
      assertThat(warn.getLong("expiresAt")).isEqualTo(w.getLong("expiresAt"));
      assertThat(p.awaitClose()).isEqualTo((short) 4001);
    }
  }

  @Test
  void refreshWithTheSameSubjectExtendsTheConnection() {
    try (WsProbe p = WsProbe.connect(client, node.port(), token("refresher", Duration.ofSeconds(3)))) {
      JsonObject w = p.next("welcome");
      p.send(new JsonObject().put("type", "refresh").put("token", token("someone-else", Duration.ofHours(1))).put("ref", "bad"));
      JsonObject refused = p.next("error");
      assertThat(refused.getString("code")).isEqualTo("forbidden");
      assertThat(refused.getString("ref")).isEqualTo("bad");

      p.send(new JsonObject().put("type", "refresh").put("token", token("refresher", Duration.ofHours(1))).put("ref", "ok"));
      JsonObject refreshed = p.next("refreshed");
      assertThat(refreshed.getLong("expiresAt")).isGreaterThan(w.getLong("expiresAt"));
      assertThat(refreshed.getString("ref")).isEqualTo("ok");
      // Past the old exp the connection is still open and serving.
      p.expectNone("never", Duration.ofMillis(3500));
      p.send(new JsonObject().put("type", "ping"));
      p.next("pong");
      assertThat(p.isClosed()).isFalse();
    }
  }
}
