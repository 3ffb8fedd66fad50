package io.courier.delivery.store.hazelcast;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;

/**
 * What {@link AppendProcessor} answers; the store turns it into an AppendResult. Seq 0 (never a
 * stored seq) means nothing was appended and the processor must be submitted again, with the
 * reason in place of the epoch: the wire format stays that of the first version, so members of
 * two versions can still talk during a rolling restart.
 */
public final class AppendOutcome implements DataSerializable {
  private long seq;
  private String epoch;
  private long ts;
  private boolean dup;

  public AppendOutcome() {}

  AppendOutcome(long seq, String epoch, long ts, boolean dup) {
    this.seq = seq;
    this.epoch = epoch;
    this.ts = ts;
    this.dup = dup;
  }

  static AppendOutcome retry(String reason) {
    return new AppendOutcome(0, reason, 0, false);
  }

  /** Nothing was appended: submit the same processor again (see {@link AppendProcessor}). */
  public boolean retry() {
    return seq == 0;
  }

  /** Why {@link #retry()}; null otherwise. */
  public String retryReason() {
    return retry() ? epoch : null;
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
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    seq = in.readLong();
    epoch = in.readString();
    ts = in.readLong();
    dup = in.readBoolean();
  }
}
