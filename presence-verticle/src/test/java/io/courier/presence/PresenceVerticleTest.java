package io.courier.presence;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.cluster.PresenceEntry;
import io.courier.cluster.PresenceRegistry;
import io.courier.protocol.Addresses;
import io.courier.protocol.Bus;
import io.courier.protocol.BusFailures;
import io.courier.protocol.CourierConfig;
import io.courier.testing.Ports;
import io.courier.testing.TestCluster;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Presence on a real two-member Hazelcast cluster: multi-device counts, queries, crash purge. */
class PresenceVerticleTest {
  private final List<TestCluster.Member> members = new ArrayList<>();

  @AfterEach
  void closeAll() {
    for (TestCluster.Member m : members) {
      try {
        m.vertx().close().await();
      } catch (RuntimeException alreadyGone) {
        // a terminated member's Vert.x may fail to leave a cluster it already lost
      }
    }
  }

  private static void await(BooleanSupplier condition, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + " not within " + timeout);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }

  private TestCluster.Member[] twoMembers() {
    CourierConfig cfg = TestCluster.config(Ports.uniqueName("presence"));
    TestCluster.Member a = TestCluster.start(cfg, "node-a");
    members.add(a);
    int seedPort = a.node().hazelcast().getCluster().getLocalMember().getAddress().getPort();
    TestCluster.Member b = TestCluster.join(cfg, seedPort, "node-b");
    members.add(b);
    await(() -> a.node().hazelcast().getCluster().getMembers().size() == 2, Duration.ofSeconds(20), "join");
    a.vertx().deployVerticle(new PresenceVerticle(a.node())).await();
    return new TestCluster.Member[] {a, b};
  }

  @Test
  void devicesAreCountedAcrossNodesAndQueriesAnswerCorrectly() {
    TestCluster.Member[] m = twoMembers();
    PresenceRegistry onA = new PresenceRegistry(m[0].vertx(), m[0].node().hazelcast());
    PresenceRegistry onB = new PresenceRegistry(m[1].vertx(), m[1].node().hazelcast());
    onA.addDevice("carol", "s1", "node-a").await();
    onB.addDevice("carol", "s2", "node-b").await();
    PresenceEntry carol = onB.get("carol").await();
    assertThat(carol.devices()).hasSize(2);
    assertThat(carol.devices().get("s2").nodeId()).isEqualTo("node-b");
    long since = carol.since();
    assertThat(since).isPositive();

    onA.removeDevice("carol", "s1").await();
    assertThat(onA.get("carol").await().since()).as("still online: since unchanged").isEqualTo(since);
    onB.removeDevice("carol", "s2").await();
    PresenceEntry gone = onA.get("carol").await();
    assertThat(gone.online()).isFalse();
    assertThat(gone.lastSeen()).isGreaterThanOrEqualTo(since);

    JsonObject reply = m[1].vertx().eventBus().<JsonObject>request(Addresses.PRESENCE_QUERY,
        new JsonObject().put(Bus.V, Bus.VERSION).put(Bus.USERS, new JsonArray().add("carol").add("nobody"))).await().body();
    JsonObject users = reply.getJsonObject(Bus.USERS);
    assertThat(users.getJsonObject("carol").getBoolean("online")).isFalse();
    assertThat(users.getJsonObject("carol").getLong("since")).isEqualTo(gone.lastSeen());
    assertThat(users.getJsonObject("nobody").containsKey("since")).isFalse();
  }

  @Test
  void queryOverTheLimitIsRefusedAsBadFrame() {
    TestCluster.Member[] m = twoMembers();
    JsonArray many = new JsonArray();
    for (int i = 0; i <= PresenceVerticle.MAX_USERS_PER_QUERY; i++) {
      many.add("u" + i);
    }
    try {
      m[0].vertx().eventBus().request(Addresses.PRESENCE_QUERY,
          new JsonObject().put(Bus.V, Bus.VERSION).put(Bus.USERS, many)).await();
      throw new AssertionError("accepted " + many.size() + " users");
    } catch (ReplyException e) {
      assertThat(e.failureCode()).isEqualTo(BusFailures.INVALID);
      assertThat(BusFailures.errorCode(e.getMessage())).isEqualTo("bad_frame");
    }
  }

  @Test
  void devicesOfACrashedMemberArePurgedButANewMemberUnderTheSameNodeIdKeepsItsOwn() {
    TestCluster.Member[] m = twoMembers();
    PresenceRegistry onA = new PresenceRegistry(m[0].vertx(), m[0].node().hazelcast());
    PresenceRegistry onB = new PresenceRegistry(m[1].vertx(), m[1].node().hazelcast());
    onA.addDevice("dora", "a1", "node-a").await();
    onB.addDevice("dora", "b1", "node-b").await();
    onB.addDevice("eve", "b2", "node-b").await();

    String crashedMember = m[1].node().hazelcast().getCluster().getLocalMember().getUuid().toString();
    long crashedAt = System.nanoTime();
    m[1].node().hazelcast().getLifecycleService().terminate();
    // One pass over the whole map, partition by partition: wait until both users are purged.
    await(() -> {
      PresenceEntry eve = onA.get("eve").await();
      PresenceEntry dora = onA.get("dora").await();
      return eve != null && !eve.online() && dora != null && dora.devices().keySet().equals(java.util.Set.of("a1"));
    }, Duration.ofSeconds(15), "purge of the crashed member's devices");
    long purgeMs = Duration.ofNanos(System.nanoTime() - crashedAt).toMillis();
    assertThat(purgeMs).as("purge bound (docs: failure detection + one map pass)").isLessThan(15_000);

    // The node comes back under the same node id, as a new member; a late purge of its previous
    // life must not take the new connection with it.
    CourierConfig cfg = m[0].node().config();
    int seedPort = m[0].node().hazelcast().getCluster().getLocalMember().getAddress().getPort();
    TestCluster.Member again = TestCluster.join(cfg, seedPort, "node-b");
    members.add(again);
    PresenceRegistry onAgain = new PresenceRegistry(again.vertx(), again.node().hazelcast());
    onAgain.addDevice("eve", "b3", "node-b").await();
    onA.purgeMember(crashedMember).await();
    assertThat(onA.get("eve").await().devices()).containsOnlyKeys("b3");
  }
}
