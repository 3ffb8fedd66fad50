package io.courier.delivery.store;

import static io.courier.delivery.store.Inboxes.await;
import static io.courier.delivery.store.Inboxes.draft;
import static io.courier.delivery.store.Inboxes.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.HazelcastInstance;
import io.courier.cluster.Maps;
import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.protocol.InboxMessage;
import io.courier.testing.Ports;
import io.courier.testing.TestCluster;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The contract on a real two-member cluster: store instance 0 runs on one member and instance 1 on
 * the other, so calls reach partition owners both locally and over the network, with backups.
 */
class HazelcastMessageStoreTest extends MessageStoreContractTest {
  private static CourierConfig cfg;
  private static TestCluster.Member first;
  private static TestCluster.Member second;

  @BeforeAll
  static void startCluster() {
    cfg = TestCluster.config(Ports.uniqueName("store-contract"));
    first = TestCluster.start(cfg, "a");
    second = TestCluster.join(cfg, port(first), "b");
    assertThat(hz(first).getCluster().getMembers()).hasSize(2);
    // Tests measure short dedupe windows and TTLs; migration retries would pause calls for 500 ms.
    Inboxes.eventually(Duration.ofSeconds(20), "partitions migrated",
        () -> hz(first).getPartitionService().isClusterSafe());
  }

  @AfterAll
  static void stopCluster() {
    await(second.vertx().close());
    await(first.vertx().close());
  }

  static int port(TestCluster.Member m) {
    return hz(m).getCluster().getLocalMember().getAddress().getPort();
  }

  static HazelcastInstance hz(TestCluster.Member m) {
    return m.node().hazelcast();
  }

  @Override
  protected MessageStore newStore(CourierConfig settings, int instance) {
    TestCluster.Member m = instance == 0 ? first : second;
    return new HazelcastMessageStore(m.vertx(), hz(m), settings, m.node().presence());
  }

  @Override
  protected Vertx vertx(int instance) {
    return (instance == 0 ? first : second).vertx();
  }

  @Override
  protected CourierConfig config() {
    return cfg;
  }

  /** The whole inbox is one entry, keyed by the user id, on the member that owns its partition. */
  @Test
  void anInboxIsOneEntryOnItsPartitionsOwner() {
    MessageStore store = open();
    for (int i = 0; i < 16; i++) {
      String user = i % 2 == 0 ? user() : "x@" + user() + "@example.com";
      await(store.append(user, draft("x@y", user, "id@1", "1")));
      await(store.append(user, draft("x@y", user, "id@2", "2")));
      com.hazelcast.cluster.Member owner = hz(first).getPartitionService().getPartition(user).getOwner();
      TestCluster.Member holder = owner.equals(hz(first).getCluster().getLocalMember()) ? first : second;
      TestCluster.Member other = holder == first ? second : first;
      assertThat(hz(holder).getMap(Maps.INBOXES).localKeySet()).as(user).contains(user);
      assertThat(hz(other).getMap(Maps.INBOXES).localKeySet()).as(user).doesNotContain(user);
    }
  }

  /**
   * A room fan-out is one multi-key call; inboxes on both members, some new, some holding a copy
   * already (a repeated fan-out), each get the message once at their own next seq.
   */
  @Test
  void aFanOutAppendsToInboxesOnEveryMemberOnce() {
    MessageStore store = open();
    List<String> users = new java.util.ArrayList<>();
    for (int i = 0; i < 24; i++) {
      users.add(user());
    }
    for (String u : users.subList(0, 8)) {
      await(store.append(u, draft("carol", u, "before", "b")));
    }
    InboxMessage roomDraft = new InboxMessage(0, null, "r1", "alice", null, "room-1", "\"hi\"", System.currentTimeMillis());
    await(store.appendAll(users.subList(0, 12), roomDraft));
    BatchAppendResult all = await(open(cfg, 1).appendAll(users, roomDraft));
    assertThat(all.failed()).isEmpty();
    assertThat(all.appended()).hasSize(24);
    for (BatchAppendResult.Appended a : all.appended()) {
      int index = users.indexOf(a.recipient());
      assertThat(a.result().dup()).as(a.recipient()).isEqualTo(index < 12);
      assertThat(a.result().seq()).as(a.recipient()).isEqualTo(index < 8 ? 2 : 1);
      assertThat(readAll(store, a.recipient())).extracting(InboxMessage::id).last().isEqualTo("r1");
    }
  }

  /** A send that was stored and then dropped by retention is still a duplicate within the window. */
  @Test
  void aResendOfASendDroppedByRetentionIsADuplicate() {
    MessageStore store = open(cfg.with(ConfigKeys.RETENTION_MAX_MESSAGES, 2), 1);
    String bob = user();
    AppendResult first = await(store.append(bob, draft("alice", bob, "a-0", "0")));
    await(Inboxes.sendSequentially(store, bob, "carol", 3));
    assertThat(await(store.read(bob, 0, 10)).firstAvailable()).isEqualTo(3);

    AppendResult again = await(store.append(bob, draft("alice", bob, "a-0", "0")));
    assertThat(again).extracting(AppendResult::seq, AppendResult::dup).containsExactly(first.seq(), true);
    assertThat(await(store.read(bob, 0, 10)).lastSeq()).isEqualTo(4);
  }

  /** Losing the head (all its replicas) starts a new epoch; the old generation is never shown. */
  @Test
  void aLostHeadStartsANewEpoch() {
    MessageStore store = open();
    String bob = user();
    String old = await(store.append(bob, draft("alice", bob, "m1", "1"))).epoch();
    await(store.append(bob, draft("alice", bob, "m2", "2")));
    hz(first).getMap(Maps.INBOXES).delete(bob);

    ReadResult fresh = await(store.read(bob, 0, 10));
    assertThat(fresh.epoch()).isNotEqualTo(old);
    assertThat(fresh.lastSeq()).isZero();
    assertThat(fresh.messages()).isEmpty();
    AppendResult again = await(store.append(bob, draft("alice", bob, "m1", "1")));
    assertThat(again).extracting(AppendResult::seq, AppendResult::epoch, AppendResult::dup)
        .containsExactly(1L, fresh.epoch(), false);
  }

  /** The owner JVM's memory budget refuses appends to inboxes on either member, and stores nothing. */
  @Test
  void pastTheMemoryBudgetAppendsAreRefusedAsOverloaded() {
    MessageStore full = open(cfg.with(ConfigKeys.STORE_MAX_HEAP_FRACTION, 1e-12), 1);
    List<String> users = new java.util.ArrayList<>();
    for (int i = 0; i < 8; i++) {
      users.add(user());
    }
    for (String u : users) {
      assertThat(Inboxes.failure(full.append(u, draft("alice", u, "m1", "1")))).as(u)
          .isInstanceOf(StoreOverloadedException.class);
      assertThat(await(full.read(u, 0, 10)).lastSeq()).isZero();
    }
    BatchAppendResult fanOut = await(full.appendAll(users,
        new InboxMessage(0, null, "r1", "alice", null, "room-1", "\"hi\"", System.currentTimeMillis())));
    assertThat(fanOut.appended()).isEmpty();
    assertThat(fanOut.failed()).hasSize(users.size());
    assertThat(fanOut.failed().values()).allMatch(e -> e instanceof StoreOverloadedException);
  }

  /**
   * The sweep removes inboxes that hold nothing when their owner was never online or has been
   * offline longer than the age limit; inboxes of users online or recently offline, and inboxes
   * holding a message, stay.
   */
  @Test
  void theSweepRemovesIdleInboxesOfUsersLongOffline() {
    CourierConfig c = cfg.with(ConfigKeys.RETENTION_MAX_AGE_MS, 60_000).with(ConfigKeys.DEDUPE_WINDOW_MS, 300);
    HazelcastMessageStore store = (HazelcastMessageStore) open(c, 0);
    io.courier.cluster.Presence presence = first.node().presence();
    long old = System.currentTimeMillis() - 120_000;
    String ghost = user();
    String reader = user();
    String online = user();
    String recent = user();
    String holder = user();
    for (String u : List.of(ghost, online, recent)) {
      await(store.append(u, draft("alice", u, "m1", "1", old))); // expired at once
    }
    await(store.read(reader, 0, 10)); // an inbox created by a read only
    await(store.append(holder, draft("alice", holder, "m1", "1")));
    await(presence.addDevice(online, "s1", "n1"));
    await(presence.addDevice(recent, "s2", "n1"));
    await(presence.removeDevice(recent, "s2"));
    String ghostEpoch = await(store.read(ghost, 0, 0)).epoch();

    var map = hz(first).getMap(Maps.INBOXES);
    Inboxes.eventually(Duration.ofSeconds(10), "idle inboxes removed", () -> {
      await(store.sweep());
      return !map.containsKey(ghost) && !map.containsKey(reader);
    });
    assertThat(map.containsKey(online)).isTrue();
    assertThat(map.containsKey(recent)).isTrue();
    assertThat(map.containsKey(holder)).isTrue();
    assertThat(readAll(store, holder)).hasSize(1);
    // The ghost's next read starts a new, empty inbox.
    ReadResult again = await(store.read(ghost, 0, 10));
    assertThat(again.epoch()).isNotEqualTo(ghostEpoch);
    assertThat(again.lastSeq()).isZero();
  }

  @Test
  void countRetentionAlsoWorksWithAgeRetention() {
    MessageStore store = open(cfg.with(ConfigKeys.RETENTION_MAX_MESSAGES, 3)
        .with(ConfigKeys.RETENTION_MAX_AGE_MS, 60_000), 1);
    String bob = user();
    await(Inboxes.sendSequentially(store, bob, "alice", 10));
    ReadResult r = await(store.read(bob, 0, 100));
    assertThat(r.firstAvailable()).isEqualTo(8);
    assertThat(r.messages()).extracting(InboxMessage::seq).containsExactly(8L, 9L, 10L);
  }
}
