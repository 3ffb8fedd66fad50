package io.courier.delivery.store.hazelcast;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import io.courier.protocol.InboxMessage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What {@link InboxRead} answers: the head and the stored messages, still encoded, so the
 * partition owner never decodes bodies and the caller decodes each once. A null epoch means the
 * inbox has no head yet.
 */
public final class InboxPage implements DataSerializable {
  private String epoch;
  private long lastSeq;
  private long firstAvailable;
  private long[] seqs = new long[0];
  private byte[][] values = new byte[0][];

  public InboxPage() {}

  InboxPage(String epoch, long lastSeq, long firstAvailable, List<Map.Entry<Long, byte[]>> entries) {
    this.epoch = epoch;
    this.lastSeq = lastSeq;
    this.firstAvailable = firstAvailable;
    this.seqs = new long[entries.size()];
    this.values = new byte[entries.size()][];
    for (int i = 0; i < entries.size(); i++) {
      seqs[i] = entries.get(i).getKey();
      values[i] = entries.get(i).getValue();
    }
  }

  static InboxPage noHead() {
    return new InboxPage();
  }

  public boolean hasHead() {
    return epoch != null;
  }

  public String epoch() {
    return epoch;
  }

  public long lastSeq() {
    return lastSeq;
  }

  public long firstAvailable() {
    return firstAvailable;
  }

  public List<InboxMessage> messages() {
    List<InboxMessage> out = new ArrayList<>(seqs.length);
    for (int i = 0; i < seqs.length; i++) {
      out.add(StoredMessage.decode(values[i]).toInbox(seqs[i], epoch));
    }
    return out;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(epoch);
    out.writeLong(lastSeq);
    out.writeLong(firstAvailable);
    out.writeInt(seqs.length);
    for (int i = 0; i < seqs.length; i++) {
      out.writeLong(seqs[i]);
      out.writeByteArray(values[i]);
    }
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    epoch = in.readString();
    lastSeq = in.readLong();
    firstAvailable = in.readLong();
    int n = in.readInt();
    seqs = new long[n];
    values = new byte[n][];
    for (int i = 0; i < n; i++) {
      seqs[i] = in.readLong();
      values[i] = in.readByteArray();
    }
  }
}
