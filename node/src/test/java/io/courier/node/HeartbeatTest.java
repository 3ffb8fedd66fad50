package io.courier.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.testing.Nodes;
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
 * Half-open detection with only COURIER_HEARTBEAT_MS set: a client that completed the handshake
 * and then went silent without closing (it never answers a ping, never reads) is closed within two
 * heartbeat intervals of its last sign of life, and its presence is released. Application-level
 * {@code ping} frames keep a client alive on their own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HeartbeatTest {
  @RegisterExtension
  static final Nodes<CourierNode> nodes = InProcessNodes.named("heartbeat");
  static final long HEARTBEAT_MS = 1000;
  /** Checks run every quarter heartbeat; scheduling on a busy machine gets this much more. */
  static final long SLACK_MS = HEARTBEAT_MS / 4 + 1500;

  Vertx client;
  CourierNode node;

  @BeforeAll
  void start() {
    // The idle timeout is left at its default: the rule "two intervals" must come from it.
    CourierConfig cfg = nodes.config()
        .with(ConfigKeys.HEARTBEAT_MS, HEARTBEAT_MS)
        .with(ConfigKeys.CLOSE_TIMEOUT_MS, 60_000);
    node = nodes.start(cfg);
    client = nodes.client();
  }

  private boolean online(WsProbe observer, String user) {
    observer.send(new JsonObject().put("type", "presence").put("users", List.of(user)));
    return observer.next("presence").getJsonObject("users").getJsonObject(user).getBoolean("online");
  }

  @Test
  void aClientThatGoesSilentIsClosedWithinTwoHeartbeatsAndItsPresenceReleased() throws Exception {
    String ghost = "ghost-" + UUID.randomUUID();
    double idleClosesBefore = Scrape.of(client, node.port()).value("courier_idle_closes_total");
    try (WsProbe observer = WsProbe.connect(client, node.port(), nodes.token("observer-" + UUID.randomUUID()))) {
      observer.next("welcome");
      long start = System.nanoTime();
      try (RawWebSocket raw = new RawWebSocket(node.port(), nodes.token(ghost))) {
        JsonObject welcome = raw.welcome();
        assertThat(welcome.getLong("heartbeatMs")).isEqualTo(HEARTBEAT_MS);
        assertThat(online(observer, ghost)).isTrue();
        // From here on the client sends nothing: no pong, no frame, and it never closes. It only
        // reads what arrives (the pings it ignores, then the close), to time the server's decision.
        int code = raw.awaitCloseCode(Duration.ofMillis(2 * HEARTBEAT_MS + SLACK_MS + 5000));
        long closedAfterMs = Duration.ofNanos(System.nanoTime() - start).toMillis();
        assertThat(code).isEqualTo(1001);
        // Its last sign of life was the handshake, which came after `start`.
        assertThat(closedAfterMs).isGreaterThanOrEqualTo(2 * HEARTBEAT_MS);
        assertThat(closedAfterMs).as("detected within two intervals").isLessThanOrEqualTo(2 * HEARTBEAT_MS + SLACK_MS);
        // Released with the close, not after a close handshake that will not come: the transport
        // would wait 10 s for it (and this node 60 s before its reset).
        long deadline = System.nanoTime() + Duration.ofSeconds(6).toNanos();
        while (online(observer, ghost) && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        assertThat(online(observer, ghost)).as("presence released").isFalse();
      }
    }
    Scrape after = Scrape.of(client, node.port());
    assertThat(after.value("courier_idle_closes_total")).isGreaterThanOrEqualTo(idleClosesBefore + 1);
  }

  @Test
  void applicationPingsAloneKeepAClientAlive() throws Exception {
    try (RawWebSocket raw = new RawWebSocket(node.port(), nodes.token("pinger-" + UUID.randomUUID()))) {
      raw.welcome();
      long until = System.nanoTime() + Duration.ofMillis(4 * HEARTBEAT_MS).toNanos();
      int n = 0;
      // Four intervals, twice the idle timeout, with no WebSocket pong ever sent.
      while (System.nanoTime() < until) {
        raw.sendText(new JsonObject().put("type", "ping").put("ref", "p" + n).encode());
        assertThat(raw.nextJson("pong", Duration.ofSeconds(5)).getString("ref")).isEqualTo("p" + n);
        n++;
        Thread.sleep(HEARTBEAT_MS / 2);
      }
      assertThat(raw.awaitCloseCode(Duration.ofMillis(2 * HEARTBEAT_MS + SLACK_MS + 2000))).isEqualTo(1001);
    }
  }
}
