package io.courier.delivery.store.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.core.Offloadable;
import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Head plus one page of messages in one call to the partition owner. Read-only and offloaded, so it
 * neither waits for nor blocks an append in progress on the same inbox; it sees the committed head
 * (plus committed messages beyond a lagging head, see {@link InboxData#committedLastSeq}).
 */
public final class ReadPageProcessor implements EntryProcessor<String, InboxHead, InboxPage>,
    ReadOnly, Offloadable, HazelcastInstanceAware, DataSerializable {
  private String user;
  private long after;
  private int limit;
  private long cutoff;

  private transient HazelcastInstance hz;

  public ReadPageProcessor() {}

  /** @param cutoff messages with a ts before it are expired ({@link Long#MIN_VALUE}: no age limit) */
  public ReadPageProcessor(String user, long after, int limit, long cutoff) {
    this.user = user;
    this.after = after;
    this.limit = limit;
    this.cutoff = cutoff;
  }

  @Override
  public InboxPage process(Map.Entry<String, InboxHead> entry) {
    InboxHead head = entry.getValue();
    if (head == null) {
      return InboxPage.noHead();
    }
    InboxData data = new InboxData(hz, user);
    long last = data.committedLastSeq(head);
    long first = data.firstRetained(head.epoch(), head.firstSeq(), last);
    long from = after >= last ? last + 1 : Math.max(after + 1, first);
    long to = Math.min(last, from + limit - 1);
    List<Map.Entry<Long, byte[]>> live = new ArrayList<>();
    for (Map.Entry<Long, byte[]> e : data.range(head.epoch(), from, to)) {
      if (StoredMessage.tsOf(e.getValue()) >= cutoff) {
        live.add(e);
      }
    }
    data.ensureStillServing();
    return new InboxPage(head.epoch(), last, first, live);
  }

  @Override
  public EntryProcessor<String, InboxHead, InboxPage> getBackupProcessor() {
    return null;
  }

  @Override
  public String getExecutorName() {
    return OFFLOADABLE_EXECUTOR;
  }

  @Override
  public void setHazelcastInstance(HazelcastInstance hazelcastInstance) {
    this.hz = hazelcastInstance;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(user);
    out.writeLong(after);
    out.writeInt(limit);
    out.writeLong(cutoff);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    user = in.readString();
    after = in.readLong();
    limit = in.readInt();
    cutoff = in.readLong();
  }
}
