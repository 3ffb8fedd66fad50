package io.courier.presence;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.cluster.Presence;
import io.courier.cluster.PresenceCounts;
import io.courier.cluster.PresenceDetail;
import io.courier.cluster.PresenceState;
import io.courier.protocol.Addresses;
import io.courier.protocol.bus.PresenceChanges;
import io.courier.testing.Ports;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What every {@link Presence} must do, seen from two members of one cluster (two nodes). Each test
 * uses users and watching node ids of its own, so tests share the cluster but no state.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class PresenceContractTest {
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();

  /** The presence of member {@code member} (0 or 1): one instance per member, whatever the calls. */
  protected abstract Presence presence(int member);

  /** The Vert.x of member {@code member}, on whose clustered event bus changes are told. */
  protected abstract Vertx vertx(int member);

  @AfterEach
  void unregister() {
    consumers.forEach(c -> c.unregister().await());
    consumers.clear();
  }

  protected static String user() {
    return Ports.uniqueName("user");
  }

  @Test
  void theSamePresenceServesEveryCallerOfAMember() {
    assertThat(presence(0)).isSameAs(presence(0));
    assertThat(presence(0).localMemberId()).isNotEqualTo(presence(1).localMemberId());
  }

  @Test
  void devicesAreAddedWithinTheLimitAcrossMembers() {
    String u = user();
    assertThat(presence(0).addDeviceWithin(u, "s1", "node-a", 2).await()).isTrue();
    assertThat(presence(1).addDeviceWithin(u, "s2", "node-b", 2).await()).isTrue();
    assertThat(presence(0).addDeviceWithin(u, "s3", "node-a", 2).await()).as("a third at a limit of two").isFalse();
    assertThat(presence(1).addDeviceWithin(u, "s2", "node-b", 2).await()).as("a session already counted").isTrue();
    assertThat(presence(0).addDeviceWithin(u, "s4", "node-a", 0).await()).as("0: no limit").isTrue();
    presence(0).removeDevice(u, "s4").await();
    presence(0).removeDevice(u, "s1").await();
    assertThat(presence(0).addDeviceWithin(u, "s3", "node-a", 2).await()).as("room again after a removal").isTrue();
    assertThat(presence(1).detail(u).await().connections()).containsOnlyKeys("s2", "s3");
  }

  @Test
  void nodesOfNamesEveryNodeHoldingAConnectionOfTheUser() {
    String two = user();
    String one = user();
    String offline = user();
    presence(0).addDevice(two, "s1", "node-a").await();
    presence(1).addDevice(two, "s2", "node-b").await();
    presence(1).addDevice(two, "s3", "node-b").await();
    presence(0).addDevice(one, "s4", "node-a").await();

    assertThat(presence(1).nodesOf(two).await()).containsExactlyInAnyOrder("node-a", "node-b");
    assertThat(presence(0).nodesOf(one).await()).containsExactly("node-a");
    assertThat(presence(0).nodesOf(offline).await()).isEmpty();
    Map<String, Set<String>> all = presence(1).nodesOfAll(List.of(two, one, offline)).await();
    assertThat(all).containsOnlyKeys(two, one);
    assertThat(all.get(two)).containsExactlyInAnyOrder("node-a", "node-b");

    presence(0).removeDevice(one, "s4").await();
    assertThat(presence(1).nodesOf(one).await()).as("gone with its last device").isEmpty();
    assertThat(presence(1).nodesOfAll(List.of(one)).await()).isEmpty();
  }

  @Test
  void readsTellOnlineSinceAndLastSeen() {
    String carol = user();
    String nobody = user();
    presence(0).addDevice(carol, "s1", "node-a").await();
    presence(1).addDevice(carol, "s2", "node-b").await();
    PresenceDetail read = presence(1).detail(carol).await();
    assertThat(read.online()).isTrue();
    assertThat(read.connections()).containsOnlyKeys("s1", "s2");
    assertThat(read.connections().get("s2").nodeId()).isEqualTo("node-b");
    long since = read.since();
    assertThat(since).isPositive();
    PresenceState state = presence(0).states(List.of(carol)).await().get(carol);
    assertThat(state.online()).isTrue();
    assertThat(state.devices()).isEqualTo(2);
    assertThat(state.since()).isEqualTo(since);

    presence(0).removeDevice(carol, "s1").await();
    assertThat(presence(0).detail(carol).await().since()).as("still online: since unchanged").isEqualTo(since);
    presence(1).removeDevice(carol, "s2").await();
    presence(1).removeDevice(carol, "s2").await();
    PresenceDetail gone = presence(0).detail(carol).await();
    assertThat(gone.online()).isFalse();
    assertThat(gone.since()).isZero();
    assertThat(gone.lastSeen()).isGreaterThanOrEqualTo(since);

    Map<String, PresenceState> states = presence(1).states(List.of(carol, nobody)).await();
    assertThat(states.get(carol).online()).isFalse();
    assertThat(states.get(carol).since()).as("offline: since is last seen").isEqualTo(gone.lastSeen());
    assertThat(states.get(nobody)).isEqualTo(PresenceState.unknown(nobody));
    assertThat(presence(0).detail(nobody).await()).isEqualTo(PresenceDetail.unknown(nobody));
  }

  @Test
  void aWatchReturnsTheStateAndTheWatchingNodeIsToldEachTransitionUntilItUnwatches() throws Exception {
    String dora = user();
    String watcher = Ports.uniqueName("watcher");
    // Told by the member that applies the transition (member 1 here).
    BlockingQueue<PresenceState> told = changesTo(1, watcher);
    Map<String, PresenceState> before = presence(0).watch(List.of(dora), watcher, 1).await();
    assertThat(before).containsEntry(dora, PresenceState.unknown(dora));

    presence(1).addDevice(dora, "d1", "node-b").await();
    PresenceState online = next(told);
    assertThat(online.user()).isEqualTo(dora);
    assertThat(online.online()).isTrue();
    assertThat(online.devices()).isEqualTo(1);
    presence(1).addDevice(dora, "d2", "node-b").await();
    presence(1).removeDevice(dora, "d1").await();
    presence(1).removeDevice(dora, "d2").await();
    PresenceState offline = next(told);
    assertThat(offline.online()).as("a second device and its removal are no transitions").isFalse();
    assertThat(offline.rev()).isGreaterThan(online.rev());
    assertThat(presence(1).detail(dora).await().watchingNodes()).containsExactly(watcher);

    Map<String, PresenceState> read = presence(0).watch(List.of(dora), watcher, 0).await();
    assertThat(read.get(dora)).isEqualTo(offline);
    presence(0).unwatch(List.of(dora), watcher).await();
    assertThat(presence(1).detail(dora).await().watchingNodes()).as("a read registered nothing").isEmpty();
    presence(1).removeDevice(dora, "d3").await();
    presence(1).addDevice(dora, "d3", "node-b").await();
    assertThat(told.poll(300, TimeUnit.MILLISECONDS)).as("nothing told after the unwatch").isNull();
    assertThat(presence(0).watch(List.of(), watcher, 1).await()).isEmpty();
  }

  @Test
  void aPurgeRemovesWhatTheMemberRegisteredAndTellsWhoWentOffline() throws Exception {
    String eve = user();
    String dora = user();
    String unwatched = user();
    String watcher = Ports.uniqueName("watcher");
    String departed = presence(1).localMemberId();
    presence(0).addDevice(dora, "a1", "node-a").await();
    presence(1).addDevice(dora, "b1", "node-b").await();
    presence(1).addDevice(eve, "b2", "node-b").await();
    presence(1).addDevice(unwatched, "b3", "node-b").await();
    presence(1).watch(List.of(dora), "node-b", 1).await();
    BlockingQueue<PresenceState> told = changesTo(0, watcher);
    presence(0).watch(List.of(eve, dora), watcher, 1).await();
    assertThat(presence(0).memberIds().await()).contains(presence(0).localMemberId(), departed);

    List<PresenceState> offline = presence(0).purgeMember(departed).await();
    assertThat(offline).extracting(PresenceState::user).as("watched users who went offline").contains(eve)
        .doesNotContain(dora, unwatched);
    PresenceState toldEve = next(told);
    assertThat(toldEve.user()).as("dora keeps a device on node-a").isEqualTo(eve);
    assertThat(toldEve.online()).isFalse();
    assertThat(presence(0).detail(dora).await().connections()).containsOnlyKeys("a1");
    assertThat(presence(0).detail(dora).await().watchingNodes()).as("the departed member's watch is gone")
        .containsExactly(watcher);
    assertThat(presence(0).detail(unwatched).await().online()).isFalse();
    assertThat(presence(0).memberIds().await()).doesNotContain(departed);
    assertThat(presence(0).purgeMember(departed).await()).as("idempotent").isEmpty();
  }

  @Test
  void countsAreClusterWide() {
    String u1 = user();
    String u2 = user();
    String nodeA = Ports.uniqueName("count-a");
    String nodeB = Ports.uniqueName("count-b");
    PresenceCounts before = presence(0).counts().await();
    presence(0).addDevice(u1, "c1", nodeA).await();
    presence(1).addDevice(u1, "c2", nodeB).await();
    presence(1).addDevice(u2, "c3", nodeB).await();
    presence(1).addDevice(u2, "c4", nodeB).await();
    presence(0).watch(List.of(u2), nodeA, 1).await();
    PresenceCounts after = presence(1).counts().await();
    assertThat(after.onlineUsers() - before.onlineUsers()).isEqualTo(2);
    assertThat(after.devices() - before.devices()).isEqualTo(4);
    assertThat(after.watchedUsers() - before.watchedUsers()).isEqualTo(1);
    assertThat(after.nodes().get(nodeA)).isEqualTo(new PresenceCounts.NodeCounts(1, 1));
    assertThat(after.nodes().get(nodeB)).isEqualTo(new PresenceCounts.NodeCounts(2, 3));
  }

  @Test
  void aLeaseIsHeldUntilReleased() {
    String node = Ports.uniqueName("leased");
    presence(1).renewLease(node, 30_000).await();
    assertThat(presence(0).leases().await()).containsEntry(presence(1).localMemberId(), node);
    presence(1).releaseLease().await();
    assertThat(presence(0).leases().await()).doesNotContainKey(presence(1).localMemberId());
  }

  /** Changes told to {@code nodeId}, received on member {@code member} as a gateway node receives them. */
  private BlockingQueue<PresenceState> changesTo(int member, String nodeId) {
    BlockingQueue<PresenceState> q = new LinkedBlockingQueue<>();
    MessageConsumer<JsonObject> c = vertx(member).eventBus().consumer(Addresses.presenceChanged(nodeId), msg -> {
      for (PresenceChanges.Change change : PresenceChanges.fromJson(msg.body()).changes()) {
        q.add(PresenceState.of(change));
      }
    });
    c.completion().await();
    consumers.add(c);
    return q;
  }

  private static PresenceState next(BlockingQueue<PresenceState> q) throws InterruptedException {
    PresenceState s = q.poll(20, TimeUnit.SECONDS);
    assertThat(s).as("a presence change within 20 s").isNotNull();
    return s;
  }
}
