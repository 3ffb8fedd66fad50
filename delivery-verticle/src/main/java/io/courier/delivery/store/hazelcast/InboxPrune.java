package io.courier.delivery.store.hazelcast;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import io.courier.delivery.store.StoreSettings;
import java.io.IOException;
import java.util.Map;

/**
 * Drops expired messages and dedupe records ({@link Inbox#prune}) from inboxes nobody appends to, so
 * an idle inbox does not hold expired data in memory until its next append. Run over the whole map
 * by the store's periodic sweep; its own backup (deterministic in {@link #now}). Answers which
 * inboxes hold nothing afterwards, for the sweep's removal of idle inboxes.
 */
public final class InboxPrune implements EntryProcessor<String, Inbox, Boolean>, DataSerializable {
  private long now;
  private long dedupeWindowMs;
  private long maxMessages;
  private long maxAgeMs;

  public InboxPrune() {}

  public InboxPrune(long now, StoreSettings settings) {
    this.now = now;
    this.dedupeWindowMs = settings.dedupeWindowMs();
    this.maxMessages = settings.maxMessages();
    this.maxAgeMs = settings.maxAgeMs();
  }

  /** TRUE for an inbox left holding nothing (a candidate for {@link InboxRemoveIdle}), else null (no answer). */
  @Override
  public Boolean process(Map.Entry<String, Inbox> entry) {
    Inbox inbox = entry.getValue();
    if (inbox == null) {
      return null;
    }
    if (inbox.prune(now, new StoreSettings(dedupeWindowMs, maxMessages, maxAgeMs, 0))) {
      entry.setValue(inbox);
    }
    return inbox.holdsNothing() ? Boolean.TRUE : null;
  }

  @Override
  public EntryProcessor<String, Inbox, Boolean> getBackupProcessor() {
    return this;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeLong(now);
    out.writeLong(dedupeWindowMs);
    out.writeLong(maxMessages);
    out.writeLong(maxAgeMs);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    now = in.readLong();
    dedupeWindowMs = in.readLong();
    maxMessages = in.readLong();
    maxAgeMs = in.readLong();
  }
}
