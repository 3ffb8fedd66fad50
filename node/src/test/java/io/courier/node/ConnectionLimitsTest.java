package io.courier.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.testing.Nodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Per-connection limits at their edges: the un-acked cap and the pending-send cap. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConnectionLimitsTest {
  @RegisterExtension
  static final Nodes<CourierNode> nodes = InProcessNodes.named("limits");
  static final int MAX_UNACKED = 5;
  static final int MAX_PENDING = 2;

  Vertx client;
  CourierNode node;

  @BeforeAll
  void start() {
    CourierConfig cfg = nodes.config()
        .with(ConfigKeys.MAX_UNACKED, MAX_UNACKED)
        .with(ConfigKeys.MAX_PENDING_SENDS, MAX_PENDING);
    node = nodes.start(cfg);
    client = nodes.client();
  }

  private WsProbe connect(String user) {
    WsProbe p = WsProbe.connect(client, node.port(), nodes.token(user));
    p.next("welcome");
    return p;
  }

  private static JsonObject send(String id, String to) {
    return new JsonObject().put("type", "send").put("id", id).put("to", to).put("body", id);
  }

  @Test
  void atTheUnackedCapTheConnectionStaysAndOnePastItClosesWith1013WithNothingLost() {
    String sender = "s-" + UUID.randomUUID();
    String slow = "slow-" + UUID.randomUUID();
    try (WsProbe s = connect(sender); WsProbe r = connect(slow)) {
      for (int i = 1; i <= MAX_UNACKED; i++) {
        s.send(send("u" + i, slow));
        s.next("sent");
        assertThat(r.next("msg").getLong("seq")).isEqualTo(i);
      }
      r.send(new JsonObject().put("type", "ping"));
      r.next("pong");
      assertThat(r.isClosed()).as("exactly at the cap").isFalse();

      s.send(send("u" + (MAX_UNACKED + 1), slow));
      s.next("sent");
      assertThat(r.awaitClose()).isEqualTo((short) 1013);
    }
    try (WsProbe again = connect(slow)) {
      again.send(new JsonObject().put("type", "sync").put("after", 0));
      List<Long> seqs = new ArrayList<>();
      for (int i = 0; i <= MAX_UNACKED; i++) {
        seqs.add(again.next("msg").getLong("seq"));
      }
      assertThat(seqs).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
      assertThat(again.next("synced").getLong("upTo")).isEqualTo(MAX_UNACKED + 1);
    }
  }

  @Test
  void sendsPastThePendingCapAreRefusedRateLimitedAndNotStored() {
    String sender = "burst-" + UUID.randomUUID();
    String target = "t-" + UUID.randomUUID();
    int burst = 40;
    // The target connects only after the burst: connected, it would get more pushes than its
    // un-acked cap allows (it does not ack here) and be closed with 1013, which is another test.
    Set<String> sent = new HashSet<>();
    try (WsProbe s = connect(sender)) {
      for (int i = 0; i < burst; i++) {
        s.send(send("b" + i, target));
      }
      Set<String> limited = new HashSet<>();
      while (sent.size() + limited.size() < burst) {
        JsonObject f = s.next(x -> "sent".equals(x.getString("type")) || "error".equals(x.getString("type")),
            WsProbe.WAIT);
        if ("sent".equals(f.getString("type"))) {
          sent.add(f.getString("id"));
        } else {
          assertThat(f.getString("code")).isEqualTo("rate_limited");
          limited.add(f.getString("ref"));
        }
      }
      assertThat(limited).as("a burst past the cap is refused in part").isNotEmpty();
      assertThat(sent).as("the first ones always fit").contains("b0", "b1");
    }
    try (WsProbe t = connect(target)) {
      t.send(new JsonObject().put("type", "sync").put("after", 0));
      Set<String> stored = new HashSet<>();
      JsonObject f;
      while (!"synced".equals((f = t.next(x -> true, WsProbe.WAIT)).getString("type"))) {
        if ("msg".equals(f.getString("type"))) {
          stored.add(f.getString("id"));
        }
      }
      assertThat(stored).isEqualTo(sent);
    }
  }
}
