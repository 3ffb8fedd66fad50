package io.courier.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.courier.cluster.Maps;
import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.testing.Nodes;
import io.vertx.core.json.JsonObject;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * COURIER_WARMUP_MS: before the node starts, loopback clients chat through a throwaway node; the real
 * node then starts with none of it (no presence, inbox, send bucket, metric or cluster member), and
 * serves clients as any node does. The test fixtures turn it off ({@code TestCluster.config}); this
 * test turns it on.
 */
class WarmupTest {
  @RegisterExtension
  static final Nodes<CourierNode> nodes = InProcessNodes.stoppedAtOnce("warmup");

  @Test
  void theWarmUpDrivesTheHotPathAndLeavesNothingInTheNode() {
    CourierNode node = nodes.start(nodes.config().with(ConfigKeys.WARMUP_MS, 1500).with(ConfigKeys.GATEWAY_INSTANCES, 1));

    Warmup.Result w = node.warmup();
    assertThat(w.ran()).as("warm-up ran: %s", w).isTrue();
    // However slow the machine, every user went through the whole path at least once.
    assertThat(w.connects()).isGreaterThanOrEqualTo(WarmupLoad.USERS);
    assertThat(w.confirmed()).isGreaterThanOrEqualTo(WarmupLoad.USERS);
    assertThat(w.delivered()).isGreaterThanOrEqualTo(WarmupLoad.USERS);

    // Nothing of the warm-up in the node's cluster: its only member, no presence, inbox or send bucket.
    HazelcastInstance hz = node.context().hazelcast();
    assertThat(hz.getCluster().getMembers()).hasSize(1);
    assertThat(hz.getMap(Maps.PRESENCE).size()).isZero();
    assertThat(hz.getMap(Maps.INBOXES).size()).isZero();
    assertThat(hz.getMap(Maps.USER_SEND_BUCKETS).size()).isZero();
    // The throwaway node's Hazelcast member is gone from the JVM.
    assertThat(Hazelcast.getAllHazelcastInstances())
        .noneMatch(i -> i.getConfig().getClusterName().startsWith("courier-warmup-"));

    // Nor in what operators see: no series of the warm-up node, no connection or message counted.
    Scrape s = Scrape.of(nodes.client(), node.port());
    assertThat(s.lines()).noneMatch(l -> l.contains("node=\"warmup-"));
    assertThat(s.value("courier_connections_opened_total")).isZero();
    assertThat(s.value("courier_messages_stored_total")).isZero();
    assertThat(s.value("courier_frames_in_total")).isZero();

    // And the node serves: a message from one client to another, seq 1 in a fresh inbox.
    String alice = "alice-" + UUID.randomUUID();
    String bob = "bob-" + UUID.randomUUID();
    try (WsProbe al = WsProbe.connect(nodes.client(), node.port(), nodes.token(alice));
         WsProbe bo = WsProbe.connect(nodes.client(), node.port(), nodes.token(bob))) {
      // Bob's welcome first: a message stored before it is his to sync, not pushed (protocol.md).
      assertThat(bo.next("welcome").getLong("lastSeq")).isZero();
      al.send(new JsonObject().put("type", "send").put("id", "m1").put("to", bob).put("body", "hi"));
      assertThat(al.next("sent").getBoolean("dup", false)).isFalse();
      assertThat(bo.next("msg").getLong("seq")).isEqualTo(1L);
    }
  }

  @Test
  void zeroTurnsItOff() {
    CourierNode node = nodes.start(nodes.config().with(ConfigKeys.GATEWAY_INSTANCES, 1));
    assertThat(node.warmup().ran()).isFalse();
  }

  @Test
  void aValueOutsideItsRangeStopsTheStartWithTheSettingsName() {
    CourierConfig cfg = nodes.config();
    assertThat(CourierNode.start(cfg.with(ConfigKeys.WARMUP_MS, -1)).cause())
        .hasMessageContaining("COURIER_WARMUP_MS");
    assertThat(CourierNode.start(cfg.with(ConfigKeys.WARMUP_MS, Warmup.MAX_MS + 1)).cause())
        .hasMessageContaining("COURIER_WARMUP_MS");
  }
}
