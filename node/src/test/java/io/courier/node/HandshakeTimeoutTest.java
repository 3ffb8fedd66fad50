package io.courier.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.protocol.MetricNames;
import io.courier.testing.Nodes;
import io.courier.testing.Ports;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Sockets that never finish a handshake are closed by the node, over real TCP sockets: silent ones,
 * slow request lines, unauthenticated bridge sockets (WebSocket and polling transports), and idle
 * keep-alive HTTP connections on both of the node's ports; an authenticated connection is untouched.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HandshakeTimeoutTest {
  @RegisterExtension
  static final Nodes<CourierNode> nodes = InProcessNodes.named("handshake");
  static final long HANDSHAKE_MS = 1000;
  static final long IDLE_MS = 1500;
  /** How much later than its deadline a socket may be closed (the guard's tick, a busy machine). */
  static final long LATE_MS = 4000;
  /** How much earlier than the deadline we may see the close (our clock starts after connect returns). */
  static final long EARLY_MS = 50;

  Vertx client;
  CourierNode node;
  int metricsPort;

  @BeforeAll
  void start() {
    metricsPort = Ports.free();
    CourierConfig cfg = nodes.config()
        .with(ConfigKeys.GATEWAY_INSTANCES, 2)
        .with(ConfigKeys.METRICS_PORT, metricsPort)
        .with(ConfigKeys.HANDSHAKE_TIMEOUT_MS, HANDSHAKE_MS)
        .with(ConfigKeys.HTTP_IDLE_TIMEOUT_MS, IDLE_MS);
    node = nodes.start(cfg);
    client = nodes.client();
  }

  private MeterRegistry registry() {
    return node.context().metrics();
  }

  private double timeouts(String reason) {
    return registry().find(MetricNames.HANDSHAKE_TIMEOUTS).tag(MetricNames.REASON, reason).counter().count();
  }

  private double pending() {
    return registry().find(MetricNames.HANDSHAKES_PENDING).gauge().value();
  }

  private void awaitNoPending() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (pending() != 0) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("pending sockets never went back to 0: " + pending());
      }
      Thread.sleep(20);
    }
  }

  @Test
  void aSocketThatSendsNothingIsClosedAtTheHandshakeTimeout() throws Exception {
    double before = timeouts(MetricNames.TIMEOUT_HANDSHAKE);
    try (RawSocket s = RawSocket.open(node.port())) {
      long closedAt = s.awaitClosed(HANDSHAKE_MS + LATE_MS);
      assertThat(closedAt).as("closed, not before the timeout").isGreaterThanOrEqualTo(HANDSHAKE_MS - EARLY_MS);
      assertThat(s.received()).isEmpty();
    }
    assertThat(timeouts(MetricNames.TIMEOUT_HANDSHAKE)).isGreaterThanOrEqualTo(before + 1);
    awaitNoPending();
  }

  @Test
  void aRequestSentAByteAtATimeIsClosedAtTheHandshakeTimeoutOnBothPorts() throws Exception {
    for (int port : new int[] {node.port(), metricsPort}) {
      try (RawSocket s = RawSocket.open(port)) {
        AtomicBoolean open = new AtomicBoolean(true);
        Thread slow = new Thread(() -> {
          String request = "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
          for (int i = 0; open.get() && s.write(String.valueOf(request.charAt(Math.min(i, request.length() - 1)))); i++) {
            try {
              Thread.sleep(50);
            } catch (InterruptedException e) {
              return;
            }
          }
        });
        slow.start();
        try {
          long closedAt = s.awaitClosed(HANDSHAKE_MS + LATE_MS);
          assertThat(closedAt).as("port %d: closed, not before the timeout", port)
              .isGreaterThanOrEqualTo(HANDSHAKE_MS - EARLY_MS);
          assertThat(s.received()).as("never answered").isEmpty();
        } finally {
          open.set(false);
          slow.join();
        }
      }
    }
    awaitNoPending();
  }

  @Test
  void anUnauthenticatedBridgeWebSocketIsClosedAtTheHandshakeTimeout() throws Exception {
    try (RawSocket s = RawSocket.open(node.port())) {
      s.write("GET /eventbus/websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
      assertThat(s.readUntil("\r\n\r\n", 5000)).startsWith("HTTP/1.1 101");
      long closedAt = s.awaitClosed(HANDSHAKE_MS + LATE_MS);
      assertThat(closedAt).as("upgraded, never authenticated: closed, not before the timeout")
          .isGreaterThanOrEqualTo(HANDSHAKE_MS - EARLY_MS);
    }
    awaitNoPending();
  }

  @Test
  void anUnauthenticatedBridgePollingSessionIsClosedAtTheHandshakeTimeout() throws Exception {
    double before = timeouts(MetricNames.TIMEOUT_BRIDGE_AUTH);
    String session = UUID.randomUUID().toString().replace("-", "");
    try (RawSocket s = RawSocket.open(node.port())) {
      s.write("POST /eventbus/000/" + session + "/xhr_streaming HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n");
      s.readUntil("\no\n", 5000);
      // SockJS's polling transports close with their own frame (c[3000,"Go away!"]), not the socket's code.
      s.readUntil("\nc[", HANDSHAKE_MS + LATE_MS);
      assertThat(s.sinceOpened()).as("not before the timeout").isGreaterThanOrEqualTo(HANDSHAKE_MS - EARLY_MS);
      // The answered connection is an idle keep-alive one now: closed after the idle timeout.
      assertThat(s.awaitClosed(IDLE_MS + LATE_MS)).isPositive();
    }
    assertThat(timeouts(MetricNames.TIMEOUT_BRIDGE_AUTH)).isGreaterThanOrEqualTo(before + 1);
    awaitNoPending();
  }

  @Test
  void anAuthenticatedPollingSessionIsNotPendingAndStaysOpen() throws Exception {
    String token = nodes.token("carol-" + UUID.randomUUID());
    String session = UUID.randomUUID().toString().replace("-", "");
    try (RawSocket s = RawSocket.open(node.port())) {
      s.write("POST /eventbus/000/" + session + "/xhr_streaming?token=" + token
          + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n");
      s.readUntil("\no\n", 5000);
      awaitNoPending();
      assertThat(s.awaitClosed(HANDSHAKE_MS + 500)).as("open past the handshake timeout").isEqualTo(-1);
      assertThat(s.received()).doesNotContain("\nc[");
    }
    awaitNoPending();
  }

  @Test
  void aKeepAliveHttpConnectionIsClosedAfterTheIdleTimeoutButNotWhileItIsUsed() throws Exception {
    for (int port : new int[] {node.port(), metricsPort}) {
      try (RawSocket s = RawSocket.open(port)) {
        // Used every 500 ms for longer than both timeouts: open all along.
        for (int i = 1; i <= 5; i++) {
          s.write("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
          // Each answer is a JSON object: its closing brace ends it.
          String got = s.readUntil("}", i, 5000);
          assertThat(got.split("HTTP/1.1 200", -1)).as("port %d, answer %d", port, i).hasSize(i + 1);
          if (i < 5) {
            assertThat(s.awaitClosed(500)).as("port %d: open between requests", port).isEqualTo(-1);
          }
        }
        long answeredAt = s.sinceOpened();
        long closedAt = s.awaitClosed(IDLE_MS + LATE_MS);
        assertThat(closedAt).as("port %d: closed after the idle timeout", port).isPositive();
        assertThat(closedAt - answeredAt).isGreaterThanOrEqualTo(IDLE_MS - 100);
      }
    }
    awaitNoPending();
  }

  @Test
  void authenticatedConnectionsOutliveBothTimeouts() throws Exception {
    String alice = "alice-" + UUID.randomUUID();
    String bob = "bob-" + UUID.randomUUID();
    try (WsProbe p = WsProbe.connect(client, node.port(), nodes.token(alice));
         RawBridge b = RawBridge.open(client, node.port(), nodes.token(bob))) {
      p.next("welcome");
      b.register(bob);
      assertThat(b.nextType()).isEqualTo("welcome");
      awaitNoPending();
      Thread.sleep(HANDSHAKE_MS + IDLE_MS);
      p.send(new JsonObject().put("type", "ping"));
      p.next("pong");
      assertThat(p.isClosed()).isFalse();
      assertThat(b.isClosed()).as("the bridge WebSocket too").isFalse();
      assertThat(pending()).as("authenticated connections are not pending").isZero();
    }
  }
}
