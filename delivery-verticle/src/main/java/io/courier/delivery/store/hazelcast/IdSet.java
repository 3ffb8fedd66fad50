package io.courier.delivery.store.hazelcast;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** A set of ids as a map value: a room's members, or a user's rooms. */
public final class IdSet implements DataSerializable {
  private Set<String> ids = new HashSet<>();

  public IdSet() {}

  boolean contains(String id) {
    return ids.contains(id);
  }

  boolean add(String id) {
    return ids.add(id);
  }

  boolean remove(String id) {
    return ids.remove(id);
  }

  public int size() {
    return ids.size();
  }

  public boolean isEmpty() {
    return ids.isEmpty();
  }

  public List<String> sorted() {
    List<String> out = new ArrayList<>(ids);
    out.sort(null);
    return out;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeInt(ids.size());
    for (String id : ids) {
      out.writeString(id);
    }
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    int n = in.readInt();
    ids = new HashSet<>(Math.max(16, n * 4 / 3 + 1));
    for (int i = 0; i < n; i++) {
      ids.add(in.readString());
    }
  }
}
