package io.courier.delivery.store.hazelcast;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import io.courier.delivery.store.StoreSettings;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One recipient's whole inbox as one map value: its epoch, its retained messages and the dedupe
 * records of its recent sends. Everything an append reads and writes is here, so an append is one
 * entry processor run on the partition's thread: the dedupe check, the seq choice and the write are
 * one atomic step on whichever member owns the partition, and a partition that moves takes the
 * whole inbox with it (Hazelcast runs partition operations and migration on the same thread, so no
 * two members ever append to one inbox at once).
 *
 * <p>The map keeps values as objects, so a processor works on this instance in place: an append
 * costs O(1) however many messages the inbox holds. A backup replica is sent exactly what the
 * append wrote ({@link #applyBackup}: the message at its seq, the dedupe record, the retention
 * boundary), never asked to recompute it: a replica that missed an earlier backup operation (it
 * happens while partitions move) would compute other seqs, while exact writes stay right for
 * everything they carry until Hazelcast's replica sync replaces the whole value. Time comes from the
 * caller ({@code now}), never from the clock, and never goes backwards ({@link #clock}).
 *
 * <p>Not thread-safe, by design: only its partition's thread touches it.
 */
public final class Inbox implements DataSerializable {
  private String epoch;
  private MessageWindow window;
  /** Sender key -> where that send is stored, oldest first (insertion order is time order). */
  private DedupeRecords dedupe;
  /**
   * Highest {@code now} any call has passed. Callers on different members have slightly different
   * clocks; pruning by the highest one seen keeps a record that was pruned from ever counting again
   * because a later call came from a slower clock.
   */
  private long clock;
  /** Estimated heap of the dedupe records ({@link #recordBytes}). */
  private long dedupeBytes;
  /** This object's share of the JVM's store memory ({@link StoreMemory}); set after every change. */
  private transient StoreMemory.Account account;

  public Inbox() {}

  private Inbox(String epoch) {
    this.epoch = epoch;
    this.window = new MessageWindow(1);
    this.dedupe = new DedupeRecords();
    this.account = StoreMemory.open(this);
    account();
  }

  static Inbox fresh(String epoch) {
    return new Inbox(epoch);
  }

  String epoch() {
    return epoch;
  }

  long lastSeq() {
    return window.lastSeq();
  }

  /** Messages retained in memory (expired ones included until the next prune). */
  int retained() {
    return window.size();
  }

  /** Dedupe records held (expired ones included until the next prune). */
  int remembered() {
    return dedupe.size();
  }

  /** Body bytes of the retained messages. */
  long bodyBytes() {
    return window.bodyBytes();
  }

  /** What this inbox adds to {@link StoreMemory#used()}. */
  long heapBytes() {
    return StoreMemory.INBOX_OVERHEAD + window.heapBytes() + dedupeBytes;
  }

  /** Neither a message nor a dedupe record: nothing but the epoch and last seq. */
  boolean holdsNothing() {
    return window.size() == 0 && dedupe.isEmpty();
  }

  /** This object's account in {@link StoreMemory}. */
  StoreMemory.Account memoryAccount() {
    return account;
  }

  private void account() {
    account.set(heapBytes());
  }

  private static long recordBytes(String senderKey) {
    return StoreMemory.RECORD_OVERHEAD + senderKey.length();
  }

  private void remember(String senderKey, long seq, long ts, long attempt, long expiresAt) {
    if (dedupe.put(senderKey, seq, ts, attempt, expiresAt)) {
      dedupeBytes += recordBytes(senderKey);
    }
  }

  /**
   * Appends {@code encoded} unless {@code senderKey} names a send stored within the dedupe window,
   * in which case nothing is added and the original seq and ts come back; dup is false when the
   * record is this same attempt's (Hazelcast re-ran a call whose answer was lost). The oldest
   * messages are dropped past the count and byte limits (the newest is always kept).
   *
   * <p>When storing it would pass the JVM's store memory budget ({@link StoreMemory#admits}) nothing is
   * stored and the outcome says {@link AppendOutcome#refused()} (an answer, not an exception:
   * Hazelcast logs every exception a processor throws, and a refusal is an expected answer).
   */
  AppendOutcome append(String senderKey, byte[] encoded, long ts, long attempt, long now, StoreSettings limits) {
    prune(now, limits);
    if (limits.dedupeWindowMs() > 0) {
      int seen = dedupe.find(senderKey);
      if (seen >= 0) {
        return new AppendOutcome(dedupe.seq(seen), epoch, dedupe.ts(seen), dedupe.attempt(seen) != attempt);
      }
    }
    if (!StoreMemory.admits(limits.maxHeapFraction(), encoded.length + StoreMemory.MESSAGE_OVERHEAD
        + (limits.dedupeWindowMs() > 0 ? recordBytes(senderKey) : 0))) {
      return AppendOutcome.refused(epoch);
    }
    window.add(encoded);
    long seq = window.lastSeq();
    if (limits.dedupeWindowMs() > 0) {
      remember(senderKey, seq, ts, attempt, clock + limits.dedupeWindowMs());
    }
    while (limits.maxMessages() > 0 && window.size() > limits.maxMessages()) {
      window.removeFirst();
    }
    while (limits.maxBytes() > 0 && window.size() > 1 && window.bodyBytes() > limits.maxBytes()) {
      window.removeFirst();
    }
    account();
    return new AppendOutcome(seq, epoch, ts, false);
  }

  /**
   * Drops expired dedupe records and messages older than the age limit (from the front: a message
   * behind a younger one is skipped by reads and dropped once it reaches the front).
   *
   * @return whether anything was dropped
   */
  boolean prune(long now, StoreSettings limits) {
    clock = Math.max(clock, now);
    boolean changed = false;
    for (int r = dedupe.oldest(); r >= 0 && dedupe.expiresAt(r) <= clock; r = dedupe.oldest()) {
      dedupeBytes -= recordBytes(dedupe.key(r));
      dedupe.remove(r);
      changed = true;
    }
    long cutoff = limits.ageCutoff(clock);
    while (window.size() > 0 && (window.first() == null || StoredMessage.tsOf(window.first()) < cutoff)) {
      window.removeFirst();
      changed = true;
    }
    if (changed) {
      account();
    }
    return changed;
  }

  /**
   * Up to {@code limit} messages after {@code after} that are not older than {@code cutoff}, with
   * the head. Changes nothing.
   */
  InboxPage page(long after, int limit, long cutoff) {
    long last = window.lastSeq();
    long first = window.firstSeq();
    while (first <= last && (window.get(first) == null || StoredMessage.tsOf(window.get(first)) < cutoff)) {
      first++;
    }
    long from = after >= last ? last + 1 : Math.max(after + 1, first);
    long to = Math.min(last, from + limit - 1);
    List<Map.Entry<Long, byte[]>> live = new ArrayList<>((int) Math.max(0, Math.min(limit, to - from + 1)));
    for (long s = from; s <= to; s++) {
      byte[] m = window.get(s);
      if (m != null && StoredMessage.tsOf(m) >= cutoff) {
        live.add(Map.entry(s, m));
      }
    }
    return new InboxPage(epoch, last, first, live);
  }

  long clock() {
    return clock;
  }

  long firstSeq() {
    return window.firstSeq();
  }

  /** The dedupe record of {@code senderKey} as a backup carries it: seq, ts, attempt, expiresAt. */
  long[] record(String senderKey) {
    int r = dedupe.find(senderKey);
    return r < 0 ? null : new long[] {dedupe.seq(r), dedupe.ts(r), dedupe.attempt(r), dedupe.expiresAt(r)};
  }

  /**
   * A backup replica's side of one append: what the primary wrote, written exactly. An inbox of
   * another epoch here is a generation the primary no longer has, so it is replaced.
   *
   * @param record seq, ts, attempt, expiresAt of the send's dedupe record; null when dedupe is off
   */
  static Inbox applyBackup(Inbox inbox, String epoch, long clock, long firstSeq, long seq, byte[] encoded,
                           String senderKey, long[] record, StoreSettings limits) {
    Inbox in = inbox == null || !inbox.epoch.equals(epoch) ? fresh(epoch) : inbox;
    in.clock = Math.max(in.clock, clock);
    in.window.dropBelow(firstSeq);
    in.window.put(seq, encoded);
    if (record != null) {
      // Re-inserted last if present (put removes it first): insertion order is expiry order.
      in.remember(senderKey, record[0], record[1], record[2], record[3]);
    }
    in.prune(in.clock, limits);
    in.account();
    return in;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(epoch);
    out.writeLong(clock);
    out.writeLong(window.firstSeq());
    out.writeInt(window.size());
    for (long s = window.firstSeq(); s <= window.lastSeq(); s++) {
      out.writeByteArray(window.get(s)); // null (an empty slot) is written and read back as null
    }
    out.writeInt(dedupe.size());
    for (int r = dedupe.oldest(); r >= 0; r = dedupe.next(r)) {
      out.writeString(dedupe.key(r));
      out.writeLong(dedupe.seq(r));
      out.writeLong(dedupe.ts(r));
      out.writeLong(dedupe.attempt(r));
      out.writeLong(dedupe.expiresAt(r));
    }
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    epoch = in.readString();
    clock = in.readLong();
    window = new MessageWindow(in.readLong());
    int n = in.readInt();
    for (int i = 0; i < n; i++) {
      window.add(in.readByteArray());
    }
    int d = in.readInt();
    dedupe = new DedupeRecords();
    dedupeBytes = 0;
    for (int i = 0; i < d; i++) {
      remember(in.readString(), in.readLong(), in.readLong(), in.readLong(), in.readLong());
    }
    // Arrived by migration, replica sync or a copy: it holds heap here from now on.
    if (account == null) {
      account = StoreMemory.open(this);
    }
    account();
  }
}
