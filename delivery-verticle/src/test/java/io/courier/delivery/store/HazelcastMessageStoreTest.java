package io.courier.delivery.store;

import static io.courier.delivery.store.Inboxes.await;
import static io.courier.delivery.store.Inboxes.draft;
import static io.courier.delivery.store.Inboxes.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.courier.cluster.Maps;
import io.courier.delivery.store.hazelcast.DedupeRecord;
import io.courier.delivery.store.hazelcast.InboxKeys;
import io.courier.delivery.store.hazelcast.StoredMessage;
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
    return new HazelcastMessageStore(m.vertx(), hz(m), settings);
  }

  @Override
  protected Vertx vertx(int instance) {
    return (instance == 0 ? first : second).vertx();
  }

  @Override
  protected CourierConfig config() {
    return cfg;
  }

  /** Checks where entries really live, which the maps' partitioning strategy decides. */
  @Test
  void allEntriesOfAnInboxLiveOnTheSameMember() {
    MessageStore store = open();
    for (int i = 0; i < 16; i++) {
      String user = i % 2 == 0 ? user() : user() + "@example.com";
      String epoch = await(store.append(user, draft("x@y", user, "id@1", "1"))).epoch();
      for (TestCluster.Member m : List.of(first, second)) {
        boolean head = hz(m).getMap(Maps.INBOX_HEAD).localKeySet().contains(InboxKeys.head(user));
        assertThat(hz(m).getMap(Maps.INBOX_MSG).localKeySet().contains(InboxKeys.message(epoch, 1, user)))
            .as("message of %s with its head", user).isEqualTo(head);
        assertThat(hz(m).getMap(Maps.INBOX_DEDUPE).localKeySet().contains(InboxKeys.dedupe("x@y", "id@1", user)))
            .as("dedupe record of %s with its head", user).isEqualTo(head);
      }
    }
  }

  /**
   * A fan-out sends each member one task for the inboxes it owns; it finds the owner from the user id
   * alone, which must name the partition the inbox keys live in (else the task's calls go remote).
   */
  @Test
  void theOwnerOfAUserIdIsTheOwnerOfItsInbox() {
    MessageStore store = open();
    for (int i = 0; i < 16; i++) {
      String user = i % 2 == 0 ? user() : "x@" + user() + "@example.com";
      await(store.append(user, draft("x", user, "id", "1")));
      com.hazelcast.cluster.Member owner = hz(first).getPartitionService().getPartition(user).getOwner();
      TestCluster.Member holder = hz(first).getMap(Maps.INBOX_HEAD).localKeySet().contains(InboxKeys.head(user))
          ? first : second;
      assertThat(owner).as(user).isEqualTo(hz(holder).getCluster().getLocalMember());
    }
  }

  /**
   * The state a fail-over can leave: dedupe record and message written (with backups), head not.
   * The message was possibly acknowledged, so it must count, and a resend must be a duplicate.
   */
  @Test
  void aMessageBeyondALaggingHeadIsCommitted() {
    MessageStore store = open();
    String bob = user();
    String epoch = await(store.append(bob, draft("alice", bob, "m1", "1"))).epoch();
    await(store.append(bob, draft("alice", bob, "m2", "2")));
    long ts = System.currentTimeMillis();
    IMap<String, byte[]> messages = hz(first).getMap(Maps.INBOX_MSG);
    IMap<String, byte[]> dedupe = hz(first).getMap(Maps.INBOX_DEDUPE);
    dedupe.set(InboxKeys.dedupe("alice", "m3", bob), new DedupeRecord(epoch, 3, ts, 42).encode());
    messages.set(InboxKeys.message(epoch, 3, bob), new StoredMessage("m3", "alice", bob, null, "3", ts).encode());

    ReadResult page = await(open(cfg, 1).read(bob, 0, 10));
    assertThat(page.lastSeq()).isEqualTo(3);
    assertThat(page.messages()).extracting(InboxMessage::id).containsExactly("m1", "m2", "m3");

    assertThat(await(store.append(bob, draft("alice", bob, "m3", "3"))))
        .isEqualTo(new AppendResult(3, epoch, ts, true));
    assertThat(await(store.append(bob, draft("alice", bob, "m4", "4"))).seq()).isEqualTo(4);
  }

  /** A dedupe record whose message never made it (fail-over between the two writes) is not a duplicate. */
  @Test
  void aDedupeRecordWithoutItsMessageIsIgnored() {
    MessageStore store = open();
    String bob = user();
    String epoch = await(store.append(bob, draft("alice", bob, "m1", "1"))).epoch();
    IMap<String, byte[]> dedupe = hz(first).getMap(Maps.INBOX_DEDUPE);
    dedupe.set(InboxKeys.dedupe("alice", "m2", bob), new DedupeRecord(epoch, 2, 222, 42).encode());

    long ts = System.currentTimeMillis();
    AppendResult r = await(store.append(bob, draft("alice", bob, "m2", "2", ts)));
    assertThat(r).isEqualTo(new AppendResult(2, epoch, ts, false));
    assertThat(readAll(store, bob)).extracting(InboxMessage::id).containsExactly("m1", "m2");
  }

  /**
   * A dedupe record whose seq holds another send: an append left running on a partition's previous
   * owner wrote it, then lost that seq to an append on the new owner. The send was never stored, so
   * its resend is stored now, not answered with the other send's seq.
   */
  @Test
  void aDedupeRecordWhoseSeqHoldsAnotherSendIsIgnored() {
    MessageStore store = open();
    String bob = user();
    String epoch = await(store.append(bob, draft("alice", bob, "m1", "1"))).epoch();
    await(store.append(bob, draft("carol", bob, "c1", "c")));
    IMap<String, byte[]> dedupe = hz(first).getMap(Maps.INBOX_DEDUPE);
    dedupe.set(InboxKeys.dedupe("alice", "m2", bob), new DedupeRecord(epoch, 2, 222, 42).encode());

    long ts = System.currentTimeMillis();
    AppendResult r = await(open(cfg, 1).append(bob, draft("alice", bob, "m2", "2", ts)));
    assertThat(r).isEqualTo(new AppendResult(3, epoch, ts, false));
    assertThat(readAll(store, bob)).extracting(InboxMessage::id).containsExactly("m1", "c1", "m2");
    assertThat(await(store.append(bob, draft("alice", bob, "m2", "2", ts + 5))))
        .isEqualTo(new AppendResult(3, epoch, ts, true));
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
    hz(first).getMap(Maps.INBOX_HEAD).delete(InboxKeys.head(bob));

    ReadResult fresh = await(store.read(bob, 0, 10));
    assertThat(fresh.epoch()).isNotEqualTo(old);
    assertThat(fresh.lastSeq()).isZero();
    assertThat(fresh.messages()).isEmpty();
    AppendResult again = await(store.append(bob, draft("alice", bob, "m1", "1")));
    assertThat(again).extracting(AppendResult::seq, AppendResult::epoch, AppendResult::dup)
        .containsExactly(1L, fresh.epoch(), false);
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
