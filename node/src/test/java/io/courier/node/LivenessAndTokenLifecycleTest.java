package io.courier.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.testing.Nodes;
import io.courier.tokens.TokenIssuer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Heartbeats, idle close of a silent client, token_expiring ahead of exp, close 4001 at exp, in-band
 * refresh (and a failed one leaving the connection as it was).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LivenessAndTokenLifecycleTest {
  @RegisterExtension
  static final Nodes<CourierNode> nodes = InProcessNodes.named("life");
  static final long EXPIRING_MS = 2000;

  Vertx client;
  CourierNode node;

  @BeforeAll
  void start() {
    CourierConfig cfg = nodes.config()
        .with(ConfigKeys.HEARTBEAT_MS, 200)
        .with(ConfigKeys.IDLE_TIMEOUT_MS, 1000)
        .with(ConfigKeys.JWT_LEEWAY_S, 0)
        .with(ConfigKeys.TOKEN_EXPIRING_MS, EXPIRING_MS);
    node = nodes.start(cfg);
    client = nodes.client();
  }

  @Test
  void clientThatAnswersPingsStaysConnectedPastTheIdleTimeout() {
    try (WsProbe p = WsProbe.connect(client, node.port(), nodes.token("pinged", Duration.ofHours(1)))) {
      JsonObject w = p.next("welcome");
      assertThat(w.getLong("heartbeatMs")).isEqualTo(200);
      // The Vert.x client answers WebSocket pings with pongs; that alone keeps it alive.
      p.expectNone("never", Duration.ofMillis(2500));
      assertThat(p.isClosed()).isFalse();
    }
  }

  @Test
  void silentClientIsClosedAfterTheIdleTimeout() throws Exception {
    try (RawWebSocket raw = new RawWebSocket(node.port(), nodes.token("silent", Duration.ofHours(1)))) {
      assertThat(raw.awaitCloseCode(Duration.ofSeconds(5))).isEqualTo(1001);
    }
  }

  @Test
  void clientWebSocketPingsCountAsLiveness() throws Exception {
    try (RawWebSocket raw = new RawWebSocket(node.port(), nodes.token("pinger", Duration.ofHours(1)))) {
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
    try (WsProbe p = WsProbe.connect(client, node.port(), nodes.token("expiring", Duration.ofSeconds(3)))) {
      JsonObject w = p.next("welcome");
      JsonObject warn = p.next("token_expiring");
      assertThat(warn.getLong("expiresAt")).isEqualTo(w.getLong("expiresAt"));
      assertThat(p.awaitClose()).isEqualTo((short) 4001);
    }
  }

  @Test
  void tokenExpiringComesTheConfiguredTimeAheadOfExp() {
    try (WsProbe p = WsProbe.connect(client, node.port(), nodes.token("ahead", Duration.ofSeconds(6)))) {
      long expiresAt = p.next("welcome").getLong("expiresAt");
      JsonObject warn = p.next(f -> "token_expiring".equals(f.getString("type")), Duration.ofSeconds(10));
      long receivedAt = System.currentTimeMillis();
      assertThat(warn.getLong("expiresAt")).isEqualTo(expiresAt);
      // Not sooner than COURIER_TOKEN_EXPIRING_MS before exp (same clock: server and test share the
      // machine), and before exp: a client has the whole notice period to refresh.
      assertThat(receivedAt).isGreaterThanOrEqualTo(expiresAt - EXPIRING_MS).isLessThan(expiresAt);
      assertThat(p.isClosed()).isFalse();
    }
  }

  @Test
  void aFailedRefreshLeavesTheConnectionAsItWas() {
    String user = "kept-" + UUID.randomUUID();
    // Long enough that five refusals fit before exp even on a busy machine.
    try (WsProbe p = WsProbe.connect(client, node.port(), nodes.token(user, Duration.ofSeconds(15)))) {
      long expiresAt = p.next("welcome").getLong("expiresAt");
      long now = System.currentTimeMillis() / 1000;
      List<String> refused = List.of(
          nodes.token("someone-else", Duration.ofHours(1)),
          TokenIssuer.issue("another-secret-of-the-right-length-" + UUID.randomUUID(), user, Duration.ofHours(1), List.of()),
          TokenIssuer.sign(nodes.secret(), new JsonObject().put("sub", user).put("iat", now - 100).put("exp", now - 50)),
          TokenIssuer.sign(nodes.secret(), new JsonObject().put("sub", user).put("iat", now).put("exp", now + 2 * 86_400)),
          "not-a-jwt");
      for (int i = 0; i < refused.size(); i++) {
        p.send(new JsonObject().put("type", "refresh").put("token", refused.get(i)).put("ref", "r" + i));
        JsonObject e = p.next("error");
        assertThat(e.getString("code")).isEqualTo("forbidden");
        assertThat(e.getString("ref")).isEqualTo("r" + i);
      }
      p.send(new JsonObject().put("type", "ping").put("ref", "still"));
      assertThat(p.next("pong").getString("ref")).isEqualTo("still");
      // The old token still rules: closed with 4001 at its exp, not before.
      long untilExp = Math.max(0, expiresAt - System.currentTimeMillis());
      assertThat(p.awaitCloseBy(System.nanoTime() + (untilExp + 10_000) * 1_000_000)).isEqualTo((short) 4001);
      assertThat(System.currentTimeMillis()).isGreaterThanOrEqualTo(expiresAt);
      assertThat(p.seen()).noneMatch(f -> "refreshed".equals(f.getString("type")));
    }
  }

  @Test
  void refreshWithTheSameSubjectExtendsTheConnection() {
    try (WsProbe p = WsProbe.connect(client, node.port(), nodes.token("refresher", Duration.ofSeconds(3)))) {
      JsonObject w = p.next("welcome");
      p.send(new JsonObject().put("type", "refresh").put("token", nodes.token("someone-else", Duration.ofHours(1))).put("ref", "bad"));
      JsonObject refused = p.next("error");
      assertThat(refused.getString("code")).isEqualTo("forbidden");
      assertThat(refused.getString("ref")).isEqualTo("bad");

      p.send(new JsonObject().put("type", "refresh").put("token", nodes.token("refresher", Duration.ofHours(1))).put("ref", "ok"));
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
