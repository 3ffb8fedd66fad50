package io.courier.delivery.store.hazelcast;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;
import java.util.Map;

/**
 * Adds an id to the set under the key unless the set already holds {@code cap} ids: the cap check
 * and the write are one step on the partition owner, so concurrent joins never pass a cap. Touches
 * only its own entry, so it runs on the partition thread. Answers {@link #ADDED}, {@link #PRESENT}
 * or {@link #FULL}.
 */
public final class SetAdd implements EntryProcessor<String, IdSet, Integer>, DataSerializable {
  public static final int ADDED = 1;
  public static final int PRESENT = 0;
  public static final int FULL = -1;

  private String id;
  private int cap;
  private transient boolean added;

  public SetAdd() {}

  /** @param cap the most ids the set may hold; 0: no cap */
  public SetAdd(String id, int cap) {
    this.id = id;
    this.cap = cap;
  }

  @Override
  public Integer process(Map.Entry<String, IdSet> entry) {
    added = false; // a local invocation that Hazelcast retries runs this same instance again
    IdSet set = entry.getValue();
    if (set != null && set.contains(id)) {
      return PRESENT;
    }
    if (cap > 0 && set != null && set.size() >= cap) {
      return FULL;
    }
    if (set == null) {
      set = new IdSet();
    }
    set.add(id);
    entry.setValue(set);
    added = true;
    return ADDED;
  }

  /** The backups repeat the add without the cap: the owner already decided. */
  @Override
  public EntryProcessor<String, IdSet, Integer> getBackupProcessor() {
    return added ? new SetAdd(id, 0) : null;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(id);
    out.writeInt(cap);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    id = in.readString();
    cap = in.readInt();
  }
}
