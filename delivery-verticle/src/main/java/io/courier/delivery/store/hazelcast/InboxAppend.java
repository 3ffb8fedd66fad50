package io.courier.delivery.store.hazelcast;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import io.courier.delivery.store.Epochs;
import io.courier.delivery.store.SenderIds;
import io.courier.delivery.store.StoreSettings;
import java.io.IOException;
import java.util.Map;

/**
 * One send appended to an inbox ({@link Inbox#append}), run on the partition's thread of the
 * inbox's owner: no lock, no nested map call, nothing to wait for.
 *
 * <p>Its backup is {@link InboxAppendBackup}, carrying exactly what this run wrote (nothing when it
 * answered a duplicate). So one instance must serve one key only: Hazelcast asks for the backup
 * processor after the run, and a multi-key call would ask once for all keys; the store submits one
 * instance per inbox, a room fan-out included. (Hazelcast runs an instance again when it retries a
 * call, never two runs of one instance at once.)
 *
 * <p>{@code attempt} identifies the call. When a member dies after running it but before answering,
 * Hazelcast runs it again on the promoted backup, which already holds its effect; the dedupe record
 * of the same attempt then means "stored by this call" (dup=false), not a resend by the client.
 *
 * <p>The byte limit and the memory budget travel with the call and are applied where the inbox
 * lives: the budget is the owner JVM's ({@link StoreMemory}); past it the run answers
 * {@link AppendOutcome#refused()}, writes nothing and has no backup.
 */
public final class InboxAppend implements EntryProcessor<String, Inbox, AppendOutcome>, DataSerializable {
  private String senderKey;
  private byte[] encoded;
  private long attempt;
  private long now;
  private String epochSeed;
  private long dedupeWindowMs;
  private long maxMessages;
  private long maxAgeMs;
  private long maxBytes;
  private double maxHeapFraction;

  /** What the last run wrote, for its backup; null if it wrote nothing (a duplicate). */
  private transient InboxAppendBackup written;

  public InboxAppend() {}

  /** @param encoded {@code msg.encode()}, computed once by the caller (a fan-out shares it) */
  public InboxAppend(StoredMessage msg, byte[] encoded, long attempt, long now, String epochSeed,
                     StoreSettings settings) {
    this.senderKey = SenderIds.encode(msg.from(), msg.id());
    this.encoded = encoded;
    this.attempt = attempt;
    this.now = now;
    this.epochSeed = epochSeed;
    this.dedupeWindowMs = settings.dedupeWindowMs();
    this.maxMessages = settings.maxMessages();
    this.maxAgeMs = settings.maxAgeMs();
    this.maxBytes = settings.maxBytes();
    this.maxHeapFraction = settings.maxHeapFraction();
  }

  @Override
  public AppendOutcome process(Map.Entry<String, Inbox> entry) {
    written = null;
    Inbox inbox = entry.getValue();
    boolean created = inbox == null;
    if (created) {
      inbox = Inbox.fresh(Epochs.derive(epochSeed, entry.getKey()));
    }
    long lastBefore = inbox.lastSeq();
    StoreSettings limits = limits();
    AppendOutcome out = inbox.append(senderKey, encoded, StoredMessage.tsOf(encoded), attempt, now, limits);
    if (out.refused() && created) {
      return out; // refused by the memory budget: no inbox is created for it either
    }
    // The value is the same instance (changed in place), but only setValue records the change.
    entry.setValue(inbox);
    if (inbox.lastSeq() != lastBefore) {
      written = new InboxAppendBackup(inbox.epoch(), inbox.clock(), inbox.firstSeq(), out.seq(), encoded,
          senderKey, inbox.record(senderKey), limits);
    }
    return out;
  }

  private StoreSettings limits() {
    return new StoreSettings(dedupeWindowMs, maxMessages, maxAgeMs, 0, maxBytes, maxHeapFraction);
  }

  @Override
  public EntryProcessor<String, Inbox, AppendOutcome> getBackupProcessor() {
    return written;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(senderKey);
    out.writeByteArray(encoded);
    out.writeLong(attempt);
    out.writeLong(now);
    out.writeString(epochSeed);
    out.writeLong(dedupeWindowMs);
    out.writeLong(maxMessages);
    out.writeLong(maxAgeMs);
    out.writeLong(maxBytes);
    out.writeDouble(maxHeapFraction);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    senderKey = in.readString();
    encoded = in.readByteArray();
    attempt = in.readLong();
    now = in.readLong();
    epochSeed = in.readString();
    dedupeWindowMs = in.readLong();
    maxMessages = in.readLong();
    maxAgeMs = in.readLong();
    maxBytes = in.readLong();
    maxHeapFraction = in.readDouble();
  }
}
