package io.courier.delivery.store.hazelcast;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;
import java.util.Map;

/**
 * Removes an id from the set under the key; an emptied set removes the entry, so the map holds only
 * rooms with members (its size is the room count). Answers whether the id was there.
 */
public final class SetRemove implements EntryProcessor<String, IdSet, Boolean>, DataSerializable {
  private String id;
  private transient boolean removed;

  public SetRemove() {}

  public SetRemove(String id) {
    this.id = id;
  }

  @Override
  public Boolean process(Map.Entry<String, IdSet> entry) {
    removed = false;
    IdSet set = entry.getValue();
    if (set == null || !set.remove(id)) {
      return false;
    }
    entry.setValue(set.isEmpty() ? null : set);
    removed = true;
    return true;
  }

  @Override
  public EntryProcessor<String, IdSet, Boolean> getBackupProcessor() {
    return removed ? new SetRemove(id) : null;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(id);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    id = in.readString();
  }
}
