package io.courier.delivery.store.hazelcast;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import io.courier.delivery.store.Epochs;
import java.io.IOException;
import java.util.Map;

/**
 * Creates an empty inbox unless one exists, so the epoch a first read shows (in a client's welcome)
 * stays the inbox's epoch. Its own backup: the epoch is derived from the carried seed and the key,
 * so the backup creates the same one.
 */
public final class InboxCreate implements EntryProcessor<String, Inbox, Void>, DataSerializable {
  private String epochSeed;

  public InboxCreate() {}

  public InboxCreate(String epochSeed) {
    this.epochSeed = epochSeed;
  }

  @Override
  public Void process(Map.Entry<String, Inbox> entry) {
    if (entry.getValue() == null) {
      entry.setValue(Inbox.fresh(Epochs.derive(epochSeed, entry.getKey())));
    }
    return null;
  }

  @Override
  public EntryProcessor<String, Inbox, Void> getBackupProcessor() {
    return this;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(epochSeed);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    epochSeed = in.readString();
  }
}
