package io.courier.delivery.store.hazelcast;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import io.courier.delivery.store.AppendResult;
import java.io.IOException;

/** What a {@link FanoutAppendTask} answers: per user, its append's outcome or why it failed. */
public final class FanoutOutcome implements DataSerializable {
  private String[] users;
  private long[] seqs;
  private String[] epochs;
  private long[] ts;
  private boolean[] dups;
  /** Null where the append succeeded. */
  private String[] errors;

  public FanoutOutcome() {}

  FanoutOutcome(int n) {
    users = new String[n];
    seqs = new long[n];
    epochs = new String[n];
    ts = new long[n];
    dups = new boolean[n];
    errors = new String[n];
  }

  void set(int i, String user, AppendOutcome o) {
    users[i] = user;
    seqs[i] = o.seq();
    epochs[i] = o.epoch();
    ts[i] = o.ts();
    dups[i] = o.dup();
  }

  void fail(int i, String user, String error) {
    users[i] = user;
    errors[i] = error;
  }

  public int size() {
    return users.length;
  }

  public String user(int i) {
    return users[i];
  }

  /** The reason user i's append failed, or null if it succeeded. */
  public String error(int i) {
    return errors[i];
  }

  public AppendResult result(int i) {
    return new AppendResult(seqs[i], epochs[i], ts[i], dups[i]);
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeInt(users.length);
    for (int i = 0; i < users.length; i++) {
      out.writeString(users[i]);
      out.writeString(errors[i]);
      if (errors[i] == null) {
        out.writeLong(seqs[i]);
        out.writeString(epochs[i]);
        out.writeLong(ts[i]);
        out.writeBoolean(dups[i]);
      }
    }
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    int n = in.readInt();
    users = new String[n];
    seqs = new long[n];
    epochs = new String[n];
    ts = new long[n];
    dups = new boolean[n];
    errors = new String[n];
    for (int i = 0; i < n; i++) {
      users[i] = in.readString();
      errors[i] = in.readString();
      if (errors[i] == null) {
        seqs[i] = in.readLong();
        epochs[i] = in.readString();
        ts[i] = in.readLong();
        dups[i] = in.readBoolean();
      }
    }
  }
}
