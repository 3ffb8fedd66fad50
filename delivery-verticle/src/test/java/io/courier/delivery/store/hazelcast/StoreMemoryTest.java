package io.courier.delivery.store.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.internal.serialization.Data;
import com.hazelcast.internal.serialization.InternalSerializationService;
import com.hazelcast.internal.serialization.impl.DefaultSerializationServiceBuilder;
import io.courier.delivery.store.SenderIds;
import io.courier.delivery.store.StoreSettings;
import org.junit.jupiter.api.Test;

/** The store's memory accounting and budget, on inbox objects alone (no cluster, no Vert.x). */
class StoreMemoryTest {
  private static byte[] msg(String id, int bodyBytes, long ts) {
    return new StoredMessage(id, "alice", "bob", null, "\"" + "x".repeat(bodyBytes - 2) + "\"", ts).encode();
  }

  private static long recordCost(String id) {
    return StoreMemory.RECORD_OVERHEAD + SenderIds.encode("alice", id).length();
  }

  private static AppendOutcome send(Inbox in, String id, byte[] encoded, long now, StoreSettings s) {
    return in.append(SenderIds.encode("alice", id), encoded, StoredMessage.tsOf(encoded), now, now, s);
  }

  @Test
  void anInboxCountsItsMessagesAndRecordsAndGivesBackWhatRetentionDrops() {
    StoreSettings s = new StoreSettings(1000, 2, 0, 0);
    Inbox in = Inbox.fresh("e1");
    assertThat(in.heapBytes()).isEqualTo(StoreMemory.INBOX_OVERHEAD);
    byte[] m1 = msg("m1", 1000, 1);
    send(in, "m1", m1, 1, s);
    assertThat(in.bodyBytes()).isEqualTo(1000);
    assertThat(in.heapBytes()).isEqualTo(StoreMemory.INBOX_OVERHEAD + m1.length + StoreMemory.MESSAGE_OVERHEAD
        + recordCost("m1"));

    byte[] m2 = msg("m2", 500, 2);
    byte[] m3 = msg("m3", 700, 3);
    send(in, "m2", m2, 2, s);
    send(in, "m3", m3, 3, s); // the count limit drops m1
    assertThat(in.bodyBytes()).isEqualTo(1200);
    assertThat(in.heapBytes()).isEqualTo(StoreMemory.INBOX_OVERHEAD + m2.length + m3.length
        + 2L * StoreMemory.MESSAGE_OVERHEAD + recordCost("m1") + recordCost("m2") + recordCost("m3"));

    in.prune(5000, new StoreSettings(1000, 2, 1000, 0)); // records expired, messages older than 4000 too
    assertThat(in.holdsNothing()).isTrue();
    assertThat(in.heapBytes()).isEqualTo(StoreMemory.INBOX_OVERHEAD);
    assertThat(in.bodyBytes()).isZero();
  }

  /**
   * Each inbox's account holds its estimate (the JVM's total is the sum of the accounts: every change
   * of one adds its difference); a copy read in holds its own, and an inbox the collector finds
   * unreachable is settled to 0. Checked per account: inboxes of other tests in this JVM are
   * collected at any time and move the total.
   */
  @Test
  void accountsFollowChangesCopiesAndCollectedInboxes() {
    StoreSettings s = new StoreSettings(0, 0, 0, 0);
    Inbox in = Inbox.fresh("e1");
    for (int i = 0; i < 100; i++) {
      send(in, "b" + i, msg("b" + i, 100_000, i), i, s);
    }
    long held = in.heapBytes();
    assertThat(held).isGreaterThan(10_000_000);
    StoreMemory.Account original = in.memoryAccount();
    assertThat(original.held()).isEqualTo(held);
    assertThat(StoreMemory.used()).isGreaterThanOrEqualTo(held);

    // A copy (as a partition arriving by migration is read) holds heap of its own.
    InternalSerializationService ss = new DefaultSerializationServiceBuilder().build();
    Data data = ss.toData(in);
    Inbox copy = ss.toObject(data);
    assertThat(copy.heapBytes()).isEqualTo(held);
    StoreMemory.Account copied = copy.memoryAccount();
    assertThat(copied).isNotSameAs(original);
    assertThat(copied.held()).isEqualTo(held);
    assertThat(StoreMemory.used()).isGreaterThanOrEqualTo(2 * held);

    // Unreachable inboxes are settled once the collector finds them.
    in = null;
    copy = null;
    long deadline = System.nanoTime() + 20_000_000_000L;
    while ((original.held() != 0 || copied.held() != 0) && System.nanoTime() < deadline) {
      System.gc();
      Thread.onSpinWait();
    }
    assertThat(original.held()).isZero();
    assertThat(copied.held()).isZero();
  }

  @Test
  void anAppendPastTheBudgetIsRefusedAndStoresNothingButADuplicateIsStillAnswered() {
    Inbox in = Inbox.fresh("e1");
    byte[] m1 = msg("m1", 100, 1);
    send(in, "m1", m1, 1, new StoreSettings(60_000, 0, 0, 0));
    long heap = in.heapBytes();
    StoreSettings tiny = new StoreSettings(60_000, 0, 0, 0, 0, 1e-12);

    AppendOutcome refused = send(in, "m2", msg("m2", 100, 2), 2, tiny);
    assertThat(refused.refused()).isTrue();
    assertThat(in.lastSeq()).isEqualTo(1);
    assertThat(in.heapBytes()).isEqualTo(heap);
    AppendOutcome again = send(in, "m1", m1, 3, tiny);
    assertThat(again.dup()).isTrue();
    assertThat(again.seq()).isEqualTo(1);
  }

  @Test
  void theBudgetIsTheFractionOfTheHeapForLongLivedObjectsAndZeroIsNone() {
    long max = StoreMemory.capacity();
    assertThat(max).isPositive().isLessThanOrEqualTo(Runtime.getRuntime().maxMemory());
    assertThat(StoreMemory.budget(0.5)).isEqualTo((long) (0.5 * max));
    assertThat(StoreMemory.budget(0)).isZero();
    assertThat(StoreMemory.budget(-1)).isZero();
    assertThat(StoreMemory.budget(1e-30)).isEqualTo(1);
    assertThat(StoreMemory.admits(0, Long.MAX_VALUE / 2)).as("no budget: anything goes").isTrue();
    assertThat(StoreMemory.admits(0.5, max)).isFalse();
    assertThat(StoreMemory.admits(1.0, 1)).isTrue();
  }

  private static java.lang.management.MemoryPoolMXBean pool(String name, java.lang.management.MemoryType type, long max) {
    return (java.lang.management.MemoryPoolMXBean) java.lang.reflect.Proxy.newProxyInstance(
        StoreMemoryTest.class.getClassLoader(), new Class<?>[] {java.lang.management.MemoryPoolMXBean.class},
        (proxy, method, args) -> switch (method.getName()) {
          case "getName" -> name;
          case "getType" -> type;
          case "getUsage" -> new java.lang.management.MemoryUsage(0, 0, 0, max);
          default -> throw new UnsupportedOperationException(method.getName());
        });
  }

  @Test
  void theCapacityIsTheOldGenerationWhereItHasAFixedSize() {
    var heap = java.lang.management.MemoryType.HEAP;
    var nonHeap = java.lang.management.MemoryType.NON_HEAP;
    long mib = 1 << 20;
    // Serial: eden, survivor and tenured; only the tenured space holds what lives long.
    assertThat(StoreMemory.capacityOf(java.util.List.of(pool("Eden Space", heap, 102 * mib),
        pool("Survivor Space", heap, 12 * mib), pool("Tenured Gen", heap, 256 * mib),
        pool("Metaspace", nonHeap, -1)), 371 * mib)).isEqualTo(256 * mib);
    assertThat(StoreMemory.capacityOf(java.util.List.of(pool("PS Old Gen", heap, 256 * mib)), 371 * mib))
        .isEqualTo(256 * mib);
    // G1: the old generation may take the whole heap; ZGC: one pool, no old generation.
    assertThat(StoreMemory.capacityOf(java.util.List.of(pool("G1 Eden Space", heap, -1),
        pool("G1 Old Gen", heap, 384 * mib)), 384 * mib)).isEqualTo(384 * mib);
    assertThat(StoreMemory.capacityOf(java.util.List.of(pool("ZHeap", heap, 384 * mib)), 384 * mib))
        .isEqualTo(384 * mib);
  }
}
