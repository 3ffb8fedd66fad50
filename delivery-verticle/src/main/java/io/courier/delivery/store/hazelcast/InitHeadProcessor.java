package io.courier.delivery.store.hazelcast;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import io.courier.delivery.store.Epochs;
import java.util.Map;

/**
 * Creates an inbox's head (a new epoch, nothing appended) unless one exists. Reads use it the first
 * time an inbox is seen, so the epoch a client is shown before any message stays the inbox's epoch.
 * Touches only its own entry, so it runs on the partition thread.
 */
public final class InitHeadProcessor implements EntryProcessor<String, InboxHead, InboxHead>, DataSerializable {
  private transient InboxHead created;

  public InitHeadProcessor() {}

  @Override
  public InboxHead process(Map.Entry<String, InboxHead> entry) {
    created = null; // a local invocation that Hazelcast retries runs this same instance again
    InboxHead head = entry.getValue();
    if (head == null) {
      head = InboxHead.fresh(Epochs.next());
      entry.setValue(head);
      created = head;
    }
    return head;
  }

  @Override
  public EntryProcessor<String, InboxHead, InboxHead> getBackupProcessor() {
    return created == null ? null : new HeadBackup<>(created);
  }

  @Override
  public void writeData(ObjectDataOutput out) {
    // stateless on the wire
  }

  @Override
  public void readData(ObjectDataInput in) {
    // stateless on the wire
  }
}
