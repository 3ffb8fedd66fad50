package io.courier.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.protocol.HttpPaths;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * COURIER_MAX_PENDING_HANDSHAKES at its edge with real sockets: the count is exact (taken on accept,
 * given back on close), at it the node stops accepting (the socket past it waits in the kernel's
 * accept queue, unserved, and is taken as soon as a place frees), and slowloris sockets below it do
 * not keep an authenticated client out.
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

  private static double paused(CourierNode n) {
    return n.context().metrics().find(MetricNames.ACCEPT_PAUSED).gauge().value();
  }

  private static final String LIVE_REQUEST = "GET " + HttpPaths.LIVE + " HTTP/1.1\r\nHost: courier\r\n\r\n";

  /**
   * Sockets past the cap, each sending a whole request: the listener stopped with the socket that
   * took the last place, so none of them is accepted: none closed, none served, none refused.
   */
  private static List<RawSocket> pastTheCap(CourierNode n, int count, double refusedBefore, List<RawSocket> toClose)
      throws IOException {
    List<RawSocket> waiting = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      RawSocket s = RawSocket.open(n.port());
      toClose.add(s);
      assertThat(s.write(LIVE_REQUEST)).isTrue();
    }
    for (RawSocket s : toClose.subList(toClose.size() - count, toClose.size())) {
      if (s.awaitClosed(1000) == -1) {
        waiting.add(s);
      }
    }
    assertThat(refused(n)).as("nothing refused past the cap").isEqualTo(refusedBefore);
    assertThat(waiting).as("none closed past the cap").hasSize(count);
    for (RawSocket s : waiting) {
      assertThat(s.received()).as("not served while every place is taken").isEmpty();
    }
    return waiting;
  }

  @Test
  void atTheCapTheNextSocketsWaitUnacceptedAndAreServedAsPlacesFree() throws Exception {
    List<RawSocket> held = open(capped, CAP);
    List<RawSocket> over = new ArrayList<>();
    try {
      awaitPending(capped, CAP);
      assertThat(paused(capped)).as("every place taken: not accepting").isEqualTo(1);
      double refusedBefore = refused(capped);
      // The kernel completes their TCP handshakes (the accept queue); the node does not take them.
      List<RawSocket> waiting = pastTheCap(capped, 3, refusedBefore, over);
      double refusedThen = refused(capped);
      assertThat(pending(capped)).as("a waiting socket takes no place").isEqualTo(CAP);
      for (RawSocket s : held) {
        assertThat(s.awaitClosed(1)).as("the held ones stay").isEqualTo(-1);
      }

      held.remove(0).close();
      assertThat(waiting.get(0).readUntil("HTTP/1.1 200", 5000)).as("a place freed: the first waiting one served")
          .contains("HTTP/1.1 200");
      awaitPending(capped, CAP);
      assertThat(paused(capped)).as("its keep-alive holds the freed place").isEqualTo(1);
      assertThat(waiting.get(1).awaitClosed(300)).as("the next one still waits").isEqualTo(-1);
      assertThat(waiting.get(1).received()).isEmpty();

      held.remove(0).close();
      assertThat(waiting.get(1).readUntil("HTTP/1.1 200", 5000)).as("another place: the next one").contains("HTTP/1.1 200");
      assertThat(refused(capped)).as("nothing refused while they waited").isEqualTo(refusedThen);
    } finally {
      closeAll(held);
      closeAll(over);
    }
    awaitPending(capped, 0);
    assertThat(paused(capped)).as("accepting again").isZero();
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
  void withTheCapFullOfSlowlorisAnAuthenticatedClientWaitsAndGetsInOnceTheyTimeOut() throws Exception {
    List<RawSocket> held = open(quick, CAP);
    try {
      awaitPending(quick, CAP);
      long heldSince = held.get(0).openedAt;
      double refusedBefore = refused(quick);
      // Its handshake waits in the accept queue instead of being closed, and goes through as soon
      // as the slowloris sockets' handshake timeout frees their places.
      CompletableFuture<Long> connected = CompletableFuture.supplyAsync(() -> {
        try (WsProbe p = WsProbe.connect(client, quick.port(), nodes.token("c-" + UUID.randomUUID()))) {
          long at = System.nanoTime();
          p.next("welcome");
          return at;
        }
      });
      for (RawSocket s : held) {
        assertThat(s.awaitClosed(SHORT_TIMEOUT_MS + 3000)).as("timed out").isPositive();
      }
      long waitedMs = (connected.get(20, TimeUnit.SECONDS) - heldSince) / 1_000_000;
      // The node's timeout counts from its accept, a little after the test's connect returned.
      assertThat(waitedMs).as("admitted only once a place was free").isGreaterThanOrEqualTo(SHORT_TIMEOUT_MS - 100);
      assertThat(refused(quick)).as("nothing refused").isEqualTo(refusedBefore);
    } finally {
      closeAll(held);
    }
    awaitPending(quick, 0);
  }
}
