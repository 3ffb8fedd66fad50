package io.courier.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.protocol.MetricNames;
import io.courier.testing.Nodes;
import io.courier.testing.Ports;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * COURIER_MAX_PENDING_HANDSHAKES at its edge with real sockets: the count is exact (taken on accept,
 * given back on close), the socket past it is closed at once, and slowloris sockets below it do not
 * keep an authenticated client out.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PendingHandshakeLimitTest {
  @RegisterExtension
  static final Nodes<CourierNode> nodes = InProcessNodes.named("pending");
  static final int CAP = 5;
  static final int SLOWLORIS = 300;
  static final long SHORT_TIMEOUT_MS = 1500;

  Vertx client;
  /** COURIER_MAX_PENDING_HANDSHAKES = CAP, timeouts far away. */
  CourierNode capped;
  /** The default cap (above SLOWLORIS), timeouts far away. */
  CourierNode roomy;
  /** COURIER_MAX_PENDING_HANDSHAKES = CAP with a short handshake timeout. */
  CourierNode quick;

  @BeforeAll
  void start() {
    CourierConfig base = nodes.config()
        .with(ConfigKeys.GATEWAY_INSTANCES, 2).with(ConfigKeys.HANDSHAKE_TIMEOUT_MS, 60_000)
        .with(ConfigKeys.HTTP_IDLE_TIMEOUT_MS, 60_000);
    capped = nodes.start(base.with(ConfigKeys.MAX_PENDING_HANDSHAKES, CAP));
    roomy = nodes.start(base.with(ConfigKeys.CLUSTER_NAME, Ports.uniqueName("pending-roomy"))
        .with(ConfigKeys.CLUSTER_PORT, Ports.free()));
    quick = nodes.start(base.with(ConfigKeys.CLUSTER_NAME, Ports.uniqueName("pending-quick"))
        .with(ConfigKeys.CLUSTER_PORT, Ports.free()).with(ConfigKeys.MAX_PENDING_HANDSHAKES, CAP)
        .with(ConfigKeys.HANDSHAKE_TIMEOUT_MS, SHORT_TIMEOUT_MS));
    client = nodes.client();
  }

  private static double pending(CourierNode n) {
    return n.context().metrics().find(MetricNames.HANDSHAKES_PENDING).gauge().value();
  }

  private static double refused(CourierNode n) {
    return n.context().metrics().find(MetricNames.PENDING_REFUSED).counter().count();
  }

  private static void awaitPending(CourierNode n, int expected) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (pending(n) != expected) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("pending sockets: " + pending(n) + ", expected " + expected);
      }
      Thread.sleep(10);
    }
  }

  private static List<RawSocket> open(CourierNode n, int count) throws IOException {
    List<RawSocket> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(RawSocket.open(n.port()));
    }
    return out;
  }

  private static void closeAll(List<RawSocket> sockets) throws IOException {
    for (RawSocket s : sockets) {
      s.close();
    }
  }

  @Test
  void atTheCapTheNextSocketIsClosedAtOnceAndAPlaceFreesWhenOneCloses() throws Exception {
    List<RawSocket> held = open(capped, CAP);
    try {
      awaitPending(capped, CAP);
      double refusedBefore = refused(capped);
      try (RawSocket over = RawSocket.open(capped.port())) {
        long closedAt = over.awaitClosed(5000);
        assertThat(closedAt).as("the socket past the cap is closed at once").isBetween(0L, 3000L);
      }
      assertThat(refused(capped)).isEqualTo(refusedBefore + 1);
      assertThat(pending(capped)).as("a refused socket takes no place").isEqualTo(CAP);
      for (RawSocket s : held) {
        assertThat(s.awaitClosed(1)).as("the held ones stay").isEqualTo(-1);
      }

      held.remove(0).close();
      awaitPending(capped, CAP - 1);
      RawSocket again = RawSocket.open(capped.port());
      held.add(again);
      assertThat(again.awaitClosed(500)).as("a place freed: accepted").isEqualTo(-1);
      awaitPending(capped, CAP);
      assertThat(refused(capped)).isEqualTo(refusedBefore + 1);
    } finally {
      closeAll(held);
    }
    awaitPending(capped, 0);
  }

  @Test
  void whileSlowlorisSocketsAreHeldAnAuthenticatedClientStillConnectsAndExchanges() throws Exception {
    List<RawSocket> held = open(roomy, SLOWLORIS);
    try {
      for (RawSocket s : held) {
        // Half a request line each: never finished.
        assertThat(s.write("GET /ws?tok")).isTrue();
      }
      awaitPending(roomy, SLOWLORIS);
      String a = "a-" + UUID.randomUUID();
      String b = "b-" + UUID.randomUUID();
      try (WsProbe pa = WsProbe.connect(client, roomy.port(), nodes.token(a));
           WsProbe pb = WsProbe.connect(client, roomy.port(), nodes.token(b))) {
        pa.next("welcome");
        pb.next("welcome");
        pa.send(new JsonObject().put("type", "send").put("id", "m1").put("to", b).put("body", "through"));
        pa.next("sent");
        assertThat(pb.next("msg").getString("body")).isEqualTo("through");
        assertThat(pending(roomy)).as("authenticated connections are not pending").isEqualTo(SLOWLORIS);
      }
    } finally {
      closeAll(held);
    }
    awaitPending(roomy, 0);
  }

  @Test
  void withTheCapFullOfSlowlorisAnAuthenticatedClientGetsInOnceTheyTimeOut() throws Exception {
    List<RawSocket> held = open(quick, CAP);
    try {
      awaitPending(quick, CAP);
      assertThatThrownBy(() -> WsProbe.connect(client, quick.port(), nodes.token("c-" + UUID.randomUUID())).close())
          .as("no place: the handshake's socket is closed");
      for (RawSocket s : held) {
        assertThat(s.awaitClosed(SHORT_TIMEOUT_MS + 3000)).as("timed out").isPositive();
      }
      awaitPending(quick, 0);
      try (WsProbe p = WsProbe.connect(client, quick.port(), nodes.token("c-" + UUID.randomUUID()))) {
        p.next("welcome");
      }
    } finally {
      closeAll(held);
    }
    awaitPending(quick, 0);
  }
}
