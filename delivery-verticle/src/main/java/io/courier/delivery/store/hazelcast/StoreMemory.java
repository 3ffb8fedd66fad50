package io.courier.delivery.store.hazelcast;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.ref.Cleaner;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * The heap this JVM's inbox replicas (owned and backup, of every Hazelcast member in the JVM) hold,
 * as an estimate kept up to date by the inboxes themselves, and the budget an append is checked
 * against ({@code COURIER_STORE_MAX_HEAP_FRACTION} of the heap's {@link #capacity()}).
 *
 * <p>Each {@link Inbox} object owns an {@link Account}: every change of the inbox (append,
 * retention, prune, backup write, deserialization on arrival by migration or replica sync) sets its
 * account to the inbox's new estimate, which moves the total by the difference: O(1) per change.
 * An inbox that leaves the JVM (its partition migrated away, its entry removed) is not told; its
 * account is settled when the garbage collector finds the object unreachable ({@link Cleaner}), so
 * the total follows the heap as the collector sees it, never drifting with migrations.
 *
 * <p>The estimate counts each message's encoded bytes plus a fixed overhead, each dedupe record's
 * key plus a fixed overhead, and a fixed overhead per inbox. A room message written to many inboxes
 * of one member may share one array there; it is counted once per inbox, as it is held once per
 * inbox after a migration or on a backup.
 */
public final class StoreMemory {
  /** Array header, ring slot and window share of one message, beyond its encoded bytes. */
  static final int MESSAGE_OVERHEAD = 48;
  /**
   * One dedupe record beyond its key's characters: the key's string and array headers, its slots in
   * {@link DedupeRecords} (a reference, four longs, its index share), those arrays' spare room.
   */
  static final int RECORD_OVERHEAD = 160;
  /** The inbox object, its window and map, its epoch, the map's record and the key. */
  static final int INBOX_OVERHEAD = 320;

  private static final LongAdder USED = new LongAdder();
  private static final long CAPACITY = capacityOf(ManagementFactory.getMemoryPoolMXBeans(),
      Runtime.getRuntime().maxMemory());
  private static final Cleaner CLEANER = Cleaner.create(r -> {
    Thread t = new Thread(r, "courier-store-memory");
    t.setDaemon(true);
    return t;
  });

  private StoreMemory() {}

  /** The estimated heap held by inboxes in this JVM now. */
  public static long used() {
    return USED.sum();
  }

  /**
   * The heap long-lived objects can take, which stored messages are: the old generation's max size
   * where the collector has a fixed one (Serial and Parallel: 2/3 of -Xmx by default), else the whole
   * max heap (G1's old regions may take nearly all of it; ZGC has one pool). Read once at start.
   */
  public static long capacity() {
    return CAPACITY;
  }

  static long capacityOf(List<MemoryPoolMXBean> pools, long maxHeap) {
    for (MemoryPoolMXBean pool : pools) {
      String name = pool.getName();
      long max = pool.getUsage() == null ? -1 : pool.getUsage().getMax();
      if (pool.getType() == MemoryType.HEAP && (name.contains("Old Gen") || name.contains("Tenured")) && max > 0) {
        return Math.min(max, maxHeap);
      }
    }
    return maxHeap;
  }

  /** The budget for {@code fraction} of the {@link #capacity()}; 0 (none) for a fraction of 0 or less. */
  public static long budget(double fraction) {
    return fraction > 0 ? Math.max(1, (long) (Math.min(fraction, 1.0) * CAPACITY)) : 0;
  }

  /**
   * Whether {@code bytes} more stay within the budget of {@code fraction}. One read of a striped
   * counter: no lock, no MXBean call.
   */
  static boolean admits(double fraction, long bytes) {
    long budget = budget(fraction);
    return budget <= 0 || USED.sum() + bytes <= budget;
  }

  /** A new account, settled when {@code owner} becomes unreachable. */
  static Account open(Object owner) {
    Account a = new Account();
    CLEANER.register(owner, a);
    return a;
  }

  /** One inbox's share of the total. */
  static final class Account implements Runnable {
    /** Written by the inbox's partition thread; read by the cleaner once the inbox is unreachable. */
    private volatile long held;

    void set(long bytes) {
      long delta = bytes - held;
      if (delta != 0) {
        held = bytes;
        USED.add(delta);
      }
    }

    long held() {
      return held;
    }

    @Override
    public void run() {
      USED.add(-held);
      held = 0;
    }
  }
}
