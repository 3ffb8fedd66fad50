package io.courier.delivery.store.hazelcast;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;
import java.util.Map;

/**
 * Backup side of the inbox processors: writes the head the primary computed. Replaying the primary's
 * logic on a backup would repeat its message and dedupe writes, which have backups of their own.
 */
public final class HeadBackup<R> implements EntryProcessor<String, InboxHead, R>, DataSerializable {
  private InboxHead head;

  public HeadBackup() {}

  HeadBackup(InboxHead head) {
    this.head = head;
  }

  @Override
  public R process(Map.Entry<String, InboxHead> entry) {
    entry.setValue(head);
    return null;
  }

  @Override
  public EntryProcessor<String, InboxHead, R> getBackupProcessor() {
    return null;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeObject(head);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    head = in.readObject();
  }
}
