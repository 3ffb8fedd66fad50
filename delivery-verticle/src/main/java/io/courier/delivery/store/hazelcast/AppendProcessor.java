package io.courier.delivery.store.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.core.Offloadable;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import io.courier.delivery.store.Epochs;
import io.courier.delivery.store.StoreSettings;
import java.io.IOException;
import java.util.Map;

/**
 * One append, run on the head entry of the recipient's inbox.
 *
 * <p>Serialization: the processor is {@link Offloadable} and not read-only, so Hazelcast locks the
 * head key on the partition owner, runs this on its offload executor, then writes the new head and
 * unlocks. Appends to one inbox are serialized by that lock, and everything else they touch
 * (message and dedupe entries) is in the head's partition. The writes happen in this order, each
 * with its synchronous backup acknowledged: dedupe record, message, head. A fail-over in between
 * leaves at worst a dedupe record that names no stored copy of its send (ignored, then
 * overwritten) or a message one past the head (counted as committed by
 * {@link InboxData#committedLastSeq}); never a gap or a reused seq.
 *
 * <p>The lock is not enough on its own. It is local to the member that took it and Hazelcast does
 * not migrate it: when the partition moves while a processor runs, the new owner runs appends on
 * the same inbox at once, while the old one's processor goes on writing message and dedupe entries
 * (those calls are routed to the new owner). Both can pick the same seq. So the message write never
 * overwrites ({@link InboxData#putNew}), a dedupe record counts only if its seq holds its send,
 * and the head write of a processor whose lock is gone fails and Hazelcast re-runs it on the owner
 * (a head that lags behind stored messages is corrected by {@link InboxData#committedLastSeq}).
 * Whatever the interleaving, an answered seq holds the answered send.
 *
 * <p>A processor that finds its member no longer owns the partition, or its seq taken, leaves the
 * head alone and answers {@link AppendOutcome#retry} (at most its own dedupe record was written, and
 * it does not count); the store submits it again, and it then runs on the owner. It does not throw for that: Hazelcast would retry as well, but it logs every exception
 * from an offloaded processor as an unexpected error, and a migration is an expected event.
 *
 * <p>{@code attempt} identifies this call. Hazelcast re-sends the same processor when the owner
 * changes mid-call; finding its own dedupe record then means "already stored by me", not a resend
 * by the client, so it answers dup=false.
 */
public final class AppendProcessor implements EntryProcessor<String, InboxHead, AppendOutcome>,
    Offloadable, HazelcastInstanceAware, DataSerializable {
  private String user;
  private StoredMessage msg;
  /** msg, encoded once: a room fan-out hands the same bytes to every member's processor. */
  private byte[] encoded;
  private long attempt;
  private long dedupeWindowMs;
  private long maxMessages;
  private long maxAgeMs;

  private transient HazelcastInstance hz;
  private transient InboxHead written;

  public AppendProcessor() {}

  public AppendProcessor(String user, StoredMessage msg, long attempt, StoreSettings settings) {
    this(user, msg, msg.encode(), attempt, settings);
  }

  /** @param encoded {@code msg.encode()}, computed once by the caller */
  AppendProcessor(String user, StoredMessage msg, byte[] encoded, long attempt, StoreSettings settings) {
    this.user = user;
    this.msg = msg;
    this.encoded = encoded;
    this.attempt = attempt;
    this.dedupeWindowMs = settings.dedupeWindowMs();
    this.maxMessages = settings.maxMessages();
    this.maxAgeMs = settings.maxAgeMs();
  }

  @Override
  public AppendOutcome process(Map.Entry<String, InboxHead> entry) {
    written = null; // a local invocation that Hazelcast retries runs this same instance again
    InboxData data = new InboxData(hz, user);
    String busy = data.notServing();
    if (busy != null) {
      return AppendOutcome.retry(busy);
    }
    InboxHead stored = entry.getValue();
    InboxHead head = stored != null ? stored : InboxHead.fresh(Epochs.next());
    head = head.withLastSeq(data.committedLastSeq(head));

    if (dedupeWindowMs > 0) {
      DedupeRecord seen = data.remembered(msg.from(), msg.id());
      if (seen != null && storedAt(data, head, seen)) {
        busy = data.notServing();
        if (busy != null) {
          return AppendOutcome.retry(busy);
        }
        if (stored == null || stored.lastSeq() != head.lastSeq()) {
          commit(entry, head);
        }
        return new AppendOutcome(seen.seq(), head.epoch(), seen.ts(), seen.attempt() != attempt);
      }
    }

    busy = data.notServing();
    if (busy != null) {
      return AppendOutcome.retry(busy);
    }
    long seq = head.lastSeq() + 1;
    if (dedupeWindowMs > 0) {
      data.remember(msg.from(), msg.id(), new DedupeRecord(head.epoch(), seq, msg.ts(), attempt), dedupeWindowMs);
    }
    if (!data.putNew(head.epoch(), seq, msg, encoded, messageTtl(System.currentTimeMillis()))) {
      // The dedupe record just written names a seq that holds another send, so it will not count.
      return AppendOutcome.retry("seq " + seq + " was taken by a concurrent append");
    }
    commit(entry, retain(data, head.withLastSeq(seq)));
    return new AppendOutcome(seq, head.epoch(), msg.ts(), false);
  }

  /**
   * Whether a dedupe record names where this send is stored. A record is written before its message
   * and can outlive a write that never happened or lost its seq to a concurrent append (see
   * {@link InboxData#putNew}), so it counts only if its seq is committed and holds this send. A
   * committed seq with no message left was dropped or expired by retention: that send was stored.
   */
  private boolean storedAt(InboxData data, InboxHead head, DedupeRecord seen) {
    if (!seen.epoch().equals(head.epoch()) || seen.seq() > head.lastSeq()) {
      return false;
    }
    StoredMessage there = data.get(head.epoch(), seen.seq());
    return there == null || msg.sameSend(there);
  }

  /** Count limit exactly (the head's firstSeq moves now); age limit by TTL, reflected in firstSeq. */
  private InboxHead retain(InboxData data, InboxHead head) {
    long first = head.firstSeq();
    if (maxMessages > 0 && head.lastSeq() - first + 1 > maxMessages) {
      long newFirst = head.lastSeq() - maxMessages + 1;
      data.drop(head.epoch(), first, newFirst);
      first = newFirst;
    }
    if (maxAgeMs > 0) {
      first = data.firstRetained(head.epoch(), first, head.lastSeq());
    }
    return head.withFirstSeq(first);
  }

  /** The entry lives until ts + max age; 0 is Hazelcast's "no expiry". */
  private long messageTtl(long now) {
    return maxAgeMs > 0 ? Math.max(1, msg.ts() + maxAgeMs - now) : 0;
  }

  private void commit(Map.Entry<String, InboxHead> entry, InboxHead head) {
    entry.setValue(head);
    written = head;
  }

  @Override
  public EntryProcessor<String, InboxHead, AppendOutcome> getBackupProcessor() {
    return written == null ? null : new HeadBackup<>(written);
  }

  @Override
  public String getExecutorName() {
    return OFFLOADABLE_EXECUTOR;
  }

  @Override
  public void setHazelcastInstance(HazelcastInstance hazelcastInstance) {
    this.hz = hazelcastInstance;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(user);
    out.writeByteArray(encoded);
    out.writeLong(attempt);
    out.writeLong(dedupeWindowMs);
    out.writeLong(maxMessages);
    out.writeLong(maxAgeMs);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    user = in.readString();
    encoded = in.readByteArray();
    msg = StoredMessage.decode(encoded);
    attempt = in.readLong();
    dedupeWindowMs = in.readLong();
    maxMessages = in.readLong();
    maxAgeMs = in.readLong();
  }
}
