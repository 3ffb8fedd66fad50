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
 * <p>Atomicity: the processor is {@link Offloadable} and not read-only, so Hazelcast locks the head
 * key on the partition owner, runs this on its offload executor, then writes the new head and
 * unlocks. Appends to one inbox are therefore serialized, and everything else they touch (message
 * and dedupe entries) is in the head's partition. The writes happen in this order, each with its
 * synchronous backup acknowledged: dedupe record, message, head. A fail-over in between leaves at
 * worst a dedupe record pointing past the head (ignored, then overwritten) or a message one past
 * the head (counted as committed by {@link InboxData#committedLastSeq}); never a gap, a reused seq,
 * or a dedupe hit without its message.
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
    InboxHead stored = entry.getValue();
    InboxHead head = stored != null ? stored : InboxHead.fresh(Epochs.next());
    head = head.withLastSeq(data.committedLastSeq(head));

    if (dedupeWindowMs > 0) {
      DedupeRecord seen = data.remembered(msg.from(), msg.id());
      if (seen != null && seen.epoch().equals(head.epoch()) && seen.seq() <= head.lastSeq()) {
        data.ensureStillServing();
        if (stored == null || stored.lastSeq() != head.lastSeq()) {
          commit(entry, head);
        }
        return new AppendOutcome(seen.seq(), head.epoch(), seen.ts(), seen.attempt() != attempt);
      }
    }

    data.ensureStillServing();
    long seq = head.lastSeq() + 1;
    if (dedupeWindowMs > 0) {
      data.remember(msg.from(), msg.id(), new DedupeRecord(head.epoch(), seq, msg.ts(), attempt), dedupeWindowMs);
    }
    data.put(head.epoch(), seq, encoded, messageTtl(System.currentTimeMillis()));
    commit(entry, retain(data, head.withLastSeq(seq)));
    return new AppendOutcome(seq, head.epoch(), msg.ts(), false);
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
