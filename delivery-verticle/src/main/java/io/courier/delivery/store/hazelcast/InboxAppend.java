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
 * inbox's owner: no lock, no nested map call, nothing to wait for. Submitted to one key for a direct
 * message, or to many keys at once for a room fan-out (Hazelcast then sends one operation per
 * member carrying all of that member's inboxes).
 *
 * <p>Immutable, because Hazelcast may run one instance for several keys on several partition threads
 * at once (a local call is not serialized). The backup processor is the processor itself: a backup
 * replica runs the same deterministic append on its copy (time is {@link #now}, a new inbox's epoch
 * is derived from {@link #epochSeed} and the key), so both copies end up equal.
 *
 * <p>{@code attempt} identifies the call. When a member dies after running it but before answering,
 * Hazelcast runs it again on the promoted backup, which already holds its effect; the dedupe record
 * of the same attempt then means "stored by this call" (dup=false), not a resend by the client.
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
  }

  @Override
  public AppendOutcome process(Map.Entry<String, Inbox> entry) {
    Inbox inbox = entry.getValue();
    if (inbox == null) {
      inbox = Inbox.fresh(Epochs.derive(epochSeed, entry.getKey()));
    }
    AppendOutcome out = inbox.append(senderKey, encoded, StoredMessage.tsOf(encoded), attempt, now, limits());
    // The value is the same instance (changed in place), but only setValue records the change and
    // sends the backup.
    entry.setValue(inbox);
    return out;
  }

  private StoreSettings limits() {
    return new StoreSettings(dedupeWindowMs, maxMessages, maxAgeMs, 0);
  }

  @Override
  public EntryProcessor<String, Inbox, AppendOutcome> getBackupProcessor() {
    return this;
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
  }
}
