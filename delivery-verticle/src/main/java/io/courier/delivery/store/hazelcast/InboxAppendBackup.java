package io.courier.delivery.store.hazelcast;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import io.courier.delivery.store.StoreSettings;
import java.io.IOException;
import java.util.Map;

/**
 * The backup side of one {@link InboxAppend}: the epoch, the message at its seq, the send's dedupe
 * record, the first retained seq and the clock, exactly as the primary wrote them
 * ({@link Inbox#applyBackup}).
 */
public final class InboxAppendBackup implements EntryProcessor<String, Inbox, AppendOutcome>, DataSerializable {
  private String epoch;
  private long clock;
  private long firstSeq;
  private long seq;
  private byte[] encoded;
  private String senderKey;
  private long[] record;
  private long dedupeWindowMs;
  private long maxMessages;
  private long maxAgeMs;

  public InboxAppendBackup() {}

  InboxAppendBackup(String epoch, long clock, long firstSeq, long seq, byte[] encoded, String senderKey,
                    long[] record, StoreSettings limits) {
    this.epoch = epoch;
    this.clock = clock;
    this.firstSeq = firstSeq;
    this.seq = seq;
    this.encoded = encoded;
    this.senderKey = senderKey;
    this.record = record;
    this.dedupeWindowMs = limits.dedupeWindowMs();
    this.maxMessages = limits.maxMessages();
    this.maxAgeMs = limits.maxAgeMs();
  }

  @Override
  public AppendOutcome process(Map.Entry<String, Inbox> entry) {
    entry.setValue(Inbox.applyBackup(entry.getValue(), epoch, clock, firstSeq, seq, encoded, senderKey, record,
        new StoreSettings(dedupeWindowMs, maxMessages, maxAgeMs, 0)));
    return null;
  }

  @Override
  public EntryProcessor<String, Inbox, AppendOutcome> getBackupProcessor() {
    return null;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(epoch);
    out.writeLong(clock);
    out.writeLong(firstSeq);
    out.writeLong(seq);
    out.writeByteArray(encoded);
    out.writeString(senderKey);
    out.writeLongArray(record);
    out.writeLong(dedupeWindowMs);
    out.writeLong(maxMessages);
    out.writeLong(maxAgeMs);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    epoch = in.readString();
    clock = in.readLong();
    firstSeq = in.readLong();
    seq = in.readLong();
    encoded = in.readByteArray();
    senderKey = in.readString();
    record = in.readLongArray();
    dedupeWindowMs = in.readLong();
    maxMessages = in.readLong();
    maxAgeMs = in.readLong();
  }
}
