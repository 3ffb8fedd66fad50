package io.courier.presence;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.cluster.NodeContext;
import io.courier.cluster.Presence;
import io.courier.cluster.PresenceDetail;
import io.courier.protocol.Addresses;
import io.courier.protocol.Bus;
import io.courier.protocol.BusFailures;
import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.protocol.MetricNames;
import io.courier.testing.Ports;
import io.courier.testing.TestCluster;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The presence verticle on a real two-member Hazelcast cluster: queries, the purge of a crashed
 * member, the sweep. What presence itself does is {@link PresenceContractTest}.
 */
class PresenceVerticleTest {
  private final List<TestCluster.Member> members = new ArrayList<>();
  /** Presence verticles deployed on member A. */
  private final List<String> deployments = new ArrayList<>();

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
    deployments.add(a.vertx().deployVerticle(new PresenceVerticle(a.node())).await());
    return new TestCluster.Member[] {a, b};
  }

  @Test
  void queriesAnswerOnlineDevicesAndSince() {
    TestCluster.Member[] m = twoMembers();
    Presence onA = m[0].node().presence();
    Presence onB = m[1].node().presence();
    onA.addDevice("carol", "s1", "node-a").await();
    onB.addDevice("carol", "s2", "node-b").await();
    onA.addDevice("dan", "s3", "node-a").await();
    onB.removeDevice("carol", "s2").await();
    onA.removeDevice("carol", "s1").await();
    PresenceDetail gone = onA.detail("carol").await();

    JsonObject reply = m[1].vertx().eventBus().<JsonObject>request(Addresses.PRESENCE_QUERY, new JsonObject()
        .put(Bus.V, Bus.VERSION).put(Bus.USERS, new JsonArray().add("carol").add("dan").add("nobody"))).await().body();
    JsonObject users = reply.getJsonObject(Bus.USERS);
    assertThat(users.getJsonObject("carol").getBoolean("online")).isFalse();
    assertThat(users.getJsonObject("carol").getLong("since")).isEqualTo(gone.lastSeen());
    assertThat(users.getJsonObject("dan").getBoolean("online")).isTrue();
    assertThat(users.getJsonObject("dan").getInteger("devices")).isEqualTo(1);
    assertThat(users.getJsonObject("dan").getLong("since")).isEqualTo(onB.detail("dan").await().since());
    assertThat(users.getJsonObject("nobody").containsKey("since")).isFalse();
  }

  private static JsonObject query(TestCluster.Member m, int users) {
    JsonArray many = new JsonArray();
    for (int i = 0; i < users; i++) {
      many.add("u" + i);
    }
    return m.vertx().eventBus().<JsonObject>request(Addresses.PRESENCE_QUERY,
        new JsonObject().put(Bus.V, Bus.VERSION).put(Bus.USERS, many)).await().body();
  }

  private static void assertRefused(TestCluster.Member m, int users) {
    try {
      query(m, users);
      throw new AssertionError("accepted " + users + " users");
    } catch (ReplyException e) {
      assertThat(e.failureCode()).isEqualTo(BusFailures.INVALID);
      assertThat(BusFailures.errorCode(e.getMessage())).isEqualTo("bad_frame");
    }
  }

  @Test
  void queryUpToTheConfiguredLimitIsAnsweredAndOneMoreIsBadFrame() {
    TestCluster.Member[] m = twoMembers();
    assertThat(query(m[1], 500).getJsonObject(Bus.USERS).size()).as("default limit 500").isEqualTo(500);
    assertRefused(m[1], 501);

    CourierConfig three = m[0].node().config().with(ConfigKeys.PRESENCE_MAX_USERS, 3);
    String id = m[0].vertx().deployVerticle(new PresenceVerticle(new NodeContext(m[0].vertx(), "node-a", three,
        m[0].node().hazelcast()))).await();
    m[0].vertx().undeploy(deployments.remove(0)).await();
    deployments.add(id);
    assertThat(query(m[1], 3).getJsonObject(Bus.USERS).fieldNames()).containsExactlyInAnyOrder("u0", "u1", "u2");
    assertRefused(m[1], 4);
  }

  @Test
  void devicesOfACrashedMemberArePurgedButANewMemberUnderTheSameNodeIdKeepsItsOwn() throws Exception {
    TestCluster.Member[] m = twoMembers();
    Presence onA = m[0].node().presence();
    Presence onB = m[1].node().presence();
    onA.addDevice("dora", "a1", "node-a").await();
    onB.addDevice("dora", "b1", "node-b").await();
    onB.addDevice("eve", "b2", "node-b").await();
    // Node A watches eve (and dora), and listens on its change address as a gateway node does.
    BlockingQueue<JsonObject> toldA = changesTo(m[0], "node-a");
    assertThat(onA.watch(List.of("eve", "dora"), "node-a", 1).await().get("eve").online()).isTrue();

    String crashedMember = m[1].node().hazelcast().getCluster().getLocalMember().getUuid().toString();
    long crashedAt = System.nanoTime();
    m[1].node().hazelcast().getLifecycleService().terminate();
    // One pass over the whole map, partition by partition: wait until both users are purged.
    await(() -> {
      PresenceDetail eve = onA.detail("eve").await();
      PresenceDetail dora = onA.detail("dora").await();
      return eve.lastSeen() > 0 && !eve.online() && dora.connections().keySet().equals(java.util.Set.of("a1"));
    }, Duration.ofSeconds(15), "purge of the crashed member's devices");
    long purgeMs = Duration.ofNanos(System.nanoTime() - crashedAt).toMillis();
    assertThat(purgeMs).as("purge bound (docs: failure detection + one map pass)").isLessThan(15_000);
    // After the purge, A is told eve went offline, and only eve: dora keeps a device on A.
    JsonObject change = nextChange(toldA);
    assertThat(change.getString(Bus.USER)).isEqualTo("eve");
    assertThat(change.getBoolean(Bus.ONLINE)).isFalse();
    assertThat(change.getInteger(Bus.DEVICES)).isZero();

    // The node comes back under the same node id, as a new member; a late purge of its previous
    // life must not take the new connection with it.
    CourierConfig cfg = m[0].node().config();
    int seedPort = m[0].node().hazelcast().getCluster().getLocalMember().getAddress().getPort();
    TestCluster.Member again = TestCluster.join(cfg, seedPort, "node-b");
    members.add(again);
    Presence onAgain = again.node().presence();
    onAgain.addDevice("eve", "b3", "node-b").await();
    onA.purgeMember(crashedMember).await();
    assertThat(onA.detail("eve").await().connections()).containsOnlyKeys("b3");
  }

  /**
   * A member leaves while no presence verticle listens (so no member-removed event is ever handled
   * for it): the sweep of a verticle started later purges its devices and watches once its lease has
   * lapsed, and the watchers are told. A live member is never purged, lease or not.
   */
  @Test
  void theSweepPurgesAMemberWhoseRemovalNobodySawOnceItsLeaseLapsed() throws Exception {
    CourierConfig cfg = TestCluster.config(Ports.uniqueName("sweep")).with(ConfigKeys.PRESENCE_SWEEP_MS, 200);
    TestCluster.Member a = TestCluster.start(cfg, "node-a");
    members.add(a);
    TestCluster.Member b = TestCluster.join(cfg,
        a.node().hazelcast().getCluster().getLocalMember().getAddress().getPort(), "node-b");
    members.add(b);
    await(() -> a.node().hazelcast().getCluster().getMembers().size() == 2, Duration.ofSeconds(20), "join");
    Presence onA = a.node().presence();
    Presence onB = b.node().presence();
    BlockingQueue<JsonObject> toldA = changesTo(a, "node-a");
    onB.addDevice("frank", "f1", "node-b").await();
    onB.addDevice("gina", "g1", "node-b").await();
    onB.watch(List.of("frank"), "node-b", 1).await();
    onA.watch(List.of("frank"), "node-a", 1).await();

    // B is alive and holds no lease: a sweep leaves it alone, because it is in the member list.
    PresenceVerticle first = new PresenceVerticle(a.node());
    String firstId = a.vertx().deployVerticle(first).await();
    assertThat(first.sweep().await()).isEmpty();
    assertThat(onA.detail("frank").await().online()).isTrue();
    a.vertx().undeploy(firstId).await();

    // B takes a short lease and dies while no presence verticle runs: its removal goes unseen.
    long leaseMs = 2000;
    // Taken before the lease is written: the lease's TTL starts at the write, which this precedes.
    long leasedAt = System.nanoTime();
    onB.renewLease("node-b", leaseMs).await();
    // Hazelcast updates the member list first and publishes the member-removed event a moment later,
    // to the listeners registered at that moment. Waiting for the event on a listener of our own
    // (not just for the member list) makes sure the verticle deployed below cannot receive it.
    java.util.concurrent.CountDownLatch removalPublished = new java.util.concurrent.CountDownLatch(1);
    java.util.UUID watcherId = a.node().hazelcast().getCluster().addMembershipListener(
        new com.hazelcast.cluster.MembershipListener() {
          @Override
          public void memberAdded(com.hazelcast.cluster.MembershipEvent event) {}

          @Override
          public void memberRemoved(com.hazelcast.cluster.MembershipEvent event) {
            removalPublished.countDown();
          }
        });
    b.node().hazelcast().getLifecycleService().terminate();
    await(() -> a.node().hazelcast().getCluster().getMembers().size() == 1, Duration.ofSeconds(20), "B gone");
    assertThat(removalPublished.await(20, java.util.concurrent.TimeUnit.SECONDS)).as("member-removed published").isTrue();
    a.node().hazelcast().getCluster().removeMembershipListener(watcherId);
    PresenceVerticle later = new PresenceVerticle(a.node());
    a.vertx().deployVerticle(later).await();

    JsonObject change = nextChange(toldA);
    long tookMs = Duration.ofNanos(System.nanoTime() - leasedAt).toMillis();
    assertThat(change.getString(Bus.USER)).isEqualTo("frank");
    assertThat(change.getBoolean(Bus.ONLINE)).isFalse();
    assertThat(tookMs).as("not before the lease lapsed").isGreaterThanOrEqualTo(leaseMs);
    assertThat(onA.detail("gina").await().online()).isFalse();
    PresenceDetail frank = onA.detail("frank").await();
    assertThat(frank.online()).isFalse();
    assertThat(frank.watchingNodes()).as("B's watch is gone, A's stays").containsExactly("node-a");
    // Counted once the sweep's pass returns, which may be just after the watchers were told; at least
    // once: a pass that runs while B's partitions are still being promoted on A can miss entries, and
    // the next sweep purges what is left.
    await(() -> a.node().metrics().find(MetricNames.PRESENCE_PURGES).tag(MetricNames.REASON,
        MetricNames.PURGE_LEASE_EXPIRED).counters().stream().mapToDouble(c -> c.count()).sum() >= 1.0,
        Duration.ofSeconds(10), "lease-expired purge counted");
    assertThat(a.node().metrics().find(MetricNames.PRESENCE_PURGES).tag(MetricNames.REASON,
        MetricNames.PURGE_MEMBER_REMOVED).counters().stream().mapToDouble(c -> c.count()).sum())
        .as("nobody saw B leave").isZero();
    System.out.println("sweep backstop: watcher told " + tookMs + " ms after the last lease renewal ("
        + leaseMs + " ms lease, 200 ms sweep)");
  }

  /** Presence changes sent to {@code nodeId}'s address, as a gateway node receives them. */
  private static BlockingQueue<JsonObject> changesTo(TestCluster.Member m, String nodeId) {
    BlockingQueue<JsonObject> q = new LinkedBlockingQueue<>();
    m.vertx().eventBus().<JsonObject>consumer(Addresses.presenceChanged(nodeId), msg -> {
      for (Object c : msg.body().getJsonArray(Bus.CHANGES)) {
        q.add((JsonObject) c);
      }
    }).completion().await();
    return q;
  }

  private static JsonObject nextChange(BlockingQueue<JsonObject> q) throws InterruptedException {
    JsonObject c = q.poll(20, TimeUnit.SECONDS);
    assertThat(c).as("a presence change within 20 s").isNotNull();
    return c;
  }
}
