package io.courier.delivery.store.hazelcast;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;

/**
 * Value of an inbox's head entry: its epoch, the last seq assigned, and the first seq not yet
 * dropped by the count limit. Mutable only because DataSerializable needs a no-arg constructor;
 * processors work on their own deserialized copy.
 */
public final class InboxHead implements DataSerializable {
  private String epoch;
  private long lastSeq;
  private long firstSeq;

  public InboxHead() {}

  InboxHead(String epoch, long lastSeq, long firstSeq) {
    this.epoch = epoch;
    this.lastSeq = lastSeq;
    this.firstSeq = firstSeq;
  }

  static InboxHead fresh(String epoch) {
    return new InboxHead(epoch, 0, 1);
  }

  public String epoch() {
    return epoch;
  }

  public long lastSeq() {
    return lastSeq;
  }

  public long firstSeq() {
    return firstSeq;
  }

  InboxHead withLastSeq(long seq) {
    return new InboxHead(epoch, seq, firstSeq);
  }

  InboxHead withFirstSeq(long seq) {
    return new InboxHead(epoch, lastSeq, seq);
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(epoch);
    out.writeLong(lastSeq);
    out.writeLong(firstSeq);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    epoch = in.readString();
    lastSeq = in.readLong();
    firstSeq = in.readLong();
  }
}
