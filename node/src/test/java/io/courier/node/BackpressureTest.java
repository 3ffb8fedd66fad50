package io.courier.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.testing.Nodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A client that stops reading fills its connection's outbound queue and is cut with 1013; nothing
 * it was sent is lost: it reconnects, syncs and gets every message. Small kernel buffers on both
 * sides (COURIER_TCP_SEND_BUFFER_BYTES, the client's SO_RCVBUF) let the queue fill with little
 * traffic; the un-acked limit is far away, so the outbound queue is what cuts.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BackpressureTest {
  @RegisterExtension
  static final Nodes<CourierNode> nodes = InProcessNodes.named("backpressure");
  static final int QUEUE_BYTES = 32 * 1024;
  static final int QUEUE_FRAMES = 64;
  static final int MESSAGES = 300;

  Vertx client;
  CourierNode node;

  @BeforeAll
  void start() {
    CourierConfig cfg = nodes.config()
        .with(ConfigKeys.TCP_SEND_BUFFER_BYTES, 8192)
        .with(ConfigKeys.MAX_OUTBOUND_BYTES, QUEUE_BYTES)
        .with(ConfigKeys.MAX_OUTBOUND_FRAMES, QUEUE_FRAMES)
        .with(ConfigKeys.MAX_UNACKED, 100_000)
        .with(ConfigKeys.MAX_PENDING_SENDS, 1000)
        .with(ConfigKeys.CLOSE_TIMEOUT_MS, 1000)
        .with(ConfigKeys.CONN_FRAMES_PER_S, 0).with(ConfigKeys.CONN_BYTES_PER_S, 0)
        .with(ConfigKeys.USER_SENDS_PER_S, 0)
        .with(ConfigKeys.GATEWAY_INSTANCES, 1);
    node = nodes.start(cfg);
    client = nodes.client();
  }

  /** Sends MESSAGES messages of about 1 KiB to {@code to}; returns the ids confirmed with `sent`. */
  private List<String> flood(String to) {
    List<String> ids = new ArrayList<>();
    try (WsProbe sender = WsProbe.connect(client, node.port(), nodes.token("flood-" + UUID.randomUUID()))) {
      sender.next("welcome");
      String pad = "p".repeat(1000);
      for (int i = 0; i < MESSAGES; i++) {
        sender.send(new JsonObject().put("type", "send").put("id", "m" + i).put("to", to)
            .put("body", new JsonObject().put("i", i).put("pad", pad)));
      }
      for (int i = 0; i < MESSAGES; i++) {
        ids.add(sender.next("sent").getString("id"));
      }
    }
    return ids;
  }

  private double outboundCuts() {
    return Scrape.of(client, node.port()).value("courier_slow_consumer_closes_total", "reason=\"outbound\"");
  }

  /** Reconnects as {@code user}, syncs from 0 and returns the ids in seq order. */
  private List<String> syncAll(String user) {
    try (WsProbe again = WsProbe.connect(client, node.port(), nodes.token(user))) {
      JsonObject welcome = again.next("welcome");
      assertThat(welcome.getLong("lastSeq")).isEqualTo(MESSAGES);
      again.send(new JsonObject().put("type", "sync").put("after", 0));
      List<String> ids = new ArrayList<>();
      long expected = 1;
      for (int i = 0; i < MESSAGES; i++) {
        JsonObject m = again.next("msg");
        assertThat(m.getLong("seq")).isEqualTo(expected++);
        ids.add(m.getString("id"));
      }
      assertThat(again.next("synced").getLong("upTo")).isEqualTo(MESSAGES);
      assertThat(again.isClosed()).isFalse();
      return ids;
    }
  }

  @Test
  void aClientThatStopsReadingIsCutWith1013AndGetsEverythingBackThroughSync() throws Exception {
    String slow = "slow-" + UUID.randomUUID();
    double cutsBefore = outboundCuts();
    double closed1013Before = Scrape.of(client, node.port()).value("courier_connections_closed_total",
        "code=\"1013\"");
    try (RawWebSocket raw = new RawWebSocket(node.port(), "/ws", nodes.token(slow), 4096)) {
      raw.welcome();
      // From here the client reads nothing.
      List<String> sent = flood(slow);
      assertThat(new HashSet<>(sent)).hasSize(MESSAGES);
      Scrape s = Scrape.await(client, node.port(), Duration.ofSeconds(20),
          x -> x.value("courier_slow_consumer_closes_total", "reason=\"outbound\"") >= cutsBefore + 1
              && x.value("courier_connections_closed_total", "code=\"1013\"") >= closed1013Before + 1);
      assertThat(s.value("courier_slow_consumer_closes_total", "reason=\"unacked\"")).isZero();
      // Its TCP connection is dropped too: reading now ends, it does not hang.
      raw.awaitEnd(Duration.ofSeconds(15));
      double cutsAfterFlood = outboundCuts();
      // Nothing lost, in order; and this long replay to a reading client, far larger than the
      // queue, paces itself instead of tripping the limit.
      Set<String> synced = new HashSet<>(syncAll(slow));
      assertThat(synced).isEqualTo(new HashSet<>(sent));
      assertThat(outboundCuts()).as("no cut during the sync").isEqualTo(cutsAfterFlood);
    }
    Scrape.await(client, node.port(), Duration.ofSeconds(10),
        x -> x.value("courier_outbound_queued_bytes") == 0 && x.value("courier_connections") == 0);
  }

  @Test
  void aBridgeSocketThatStopsReadingIsCutTheSameWay() throws Exception {
    String slow = "slowb-" + UUID.randomUUID();
    double cutsBefore = outboundCuts();
    try (RawWebSocket raw = new RawWebSocket(node.port(), "/eventbus/websocket?token=" + nodes.token(slow), null, 4096)) {
      raw.sendText(new JsonObject().put("type", "register").put("address", "courier.inbox." + slow).encode());
      JsonObject welcome = new JsonObject(raw.readFrame(Duration.ofSeconds(10)).text());
      assertThat(welcome.getJsonObject("body").getString("type")).isEqualTo("welcome");
      List<String> sent = flood(slow);
      Scrape.await(client, node.port(), Duration.ofSeconds(20),
          x -> x.value("courier_slow_consumer_closes_total", "reason=\"outbound\"") >= cutsBefore + 1);
      raw.awaitEnd(Duration.ofSeconds(15));
      assertThat(new HashSet<>(syncAll(slow))).isEqualTo(new HashSet<>(sent));
    }
  }
}
