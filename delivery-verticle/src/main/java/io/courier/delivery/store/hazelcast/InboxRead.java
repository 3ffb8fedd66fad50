package io.courier.delivery.store.hazelcast;

import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;
import java.util.Map;

/**
 * The head and one page of an inbox ({@link Inbox#page}) in one call to the partition's owner; the
 * messages travel still encoded. Read-only, on the partition's thread like appends, so it sees each
 * append whole or not at all.
 */
public final class InboxRead implements EntryProcessor<String, Inbox, InboxPage>, ReadOnly, DataSerializable {
  private long after;
  private int limit;
  private long cutoff;

  public InboxRead() {}

  /** @param cutoff messages with a ts before it are expired ({@link Long#MIN_VALUE}: no age limit) */
  public InboxRead(long after, int limit, long cutoff) {
    this.after = after;
    this.limit = limit;
    this.cutoff = cutoff;
  }

  @Override
  public InboxPage process(Map.Entry<String, Inbox> entry) {
    Inbox inbox = entry.getValue();
    return inbox == null ? InboxPage.noHead() : inbox.page(after, limit, cutoff);
  }

  @Override
  public EntryProcessor<String, Inbox, InboxPage> getBackupProcessor() {
    return null;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeLong(after);
    out.writeInt(limit);
    out.writeLong(cutoff);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    after = in.readLong();
    limit = in.readInt();
    cutoff = in.readLong();
  }
}
