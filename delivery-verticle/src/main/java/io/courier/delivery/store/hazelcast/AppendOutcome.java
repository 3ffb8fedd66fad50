package io.courier.delivery.store.hazelcast;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;

/**
 * What {@link InboxAppend} answers; the store turns it into an AppendResult, or into a
 * StoreOverloadedException when the append was {@link #refused()} by the owner's memory budget.
 */
public final class AppendOutcome implements DataSerializable {
  private long seq;
  private String epoch;
  private long ts;
  private boolean dup;
  private boolean refused;

  public AppendOutcome() {}

  AppendOutcome(long seq, String epoch, long ts, boolean dup) {
    this.seq = seq;
    this.epoch = epoch;
    this.ts = ts;
    this.dup = dup;
  }

  /** Nothing stored: the owner JVM's store memory budget is used up. */
  static AppendOutcome refused(String epoch) {
    AppendOutcome o = new AppendOutcome(0, epoch, 0, false);
    o.refused = true;
    return o;
  }

  public boolean refused() {
    return refused;
  }

  public long seq() {
    return seq;
  }

  public String epoch() {
    return epoch;
  }

  public long ts() {
    return ts;
  }

  public boolean dup() {
    return dup;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeLong(seq);
    out.writeString(epoch);
    out.writeLong(ts);
    out.writeBoolean(dup);
    out.writeBoolean(refused);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    seq = in.readLong();
    epoch = in.readString();
    ts = in.readLong();
    dup = in.readBoolean();
    refused = in.readBoolean();
  }
}
