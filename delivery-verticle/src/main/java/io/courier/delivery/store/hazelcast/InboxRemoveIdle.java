package io.courier.delivery.store.hazelcast;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;
import java.util.Map;

/**
 * Removes an inbox that still holds nothing ({@link Inbox#holdsNothing}: no message, no dedupe
 * record), checked again on the partition's thread, so an append that came after the sweep chose it
 * keeps it. Its backup removes the entry whatever it holds: the replica follows the primary.
 */
public final class InboxRemoveIdle implements EntryProcessor<String, Inbox, Boolean>, DataSerializable {
  private boolean force;
  private transient boolean removed;

  public InboxRemoveIdle() {}

  private InboxRemoveIdle(boolean force) {
    this.force = force;
  }

  public static InboxRemoveIdle ifStillIdle() {
    return new InboxRemoveIdle(false);
  }

  @Override
  public Boolean process(Map.Entry<String, Inbox> entry) {
    Inbox inbox = entry.getValue();
    removed = inbox != null && (force || inbox.holdsNothing());
    if (removed) {
      entry.setValue(null);
    }
    return removed;
  }

  @Override
  public EntryProcessor<String, Inbox, Boolean> getBackupProcessor() {
    return removed ? new InboxRemoveIdle(true) : null;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeBoolean(force);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    force = in.readBoolean();
  }
}
