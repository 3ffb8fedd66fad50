package io.courier.connection.session;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.ExtendedMapEntry;
import com.hazelcast.map.IMap;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import io.courier.cluster.Maps;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * The cluster-wide per-user send buckets ({@link Maps#USER_SEND_BUCKETS}, userId ->
 * {@link SendBucket}). A gateway leases tokens in batches with one entry processor call, which runs
 * on the partition owner, so concurrent leases of one user on several nodes never take the same
 * token twice. The owner's clock drives the refill. An entry expires when its bucket would be full
 * again, so only users who sent recently hold one. Lives here, not in the gateway, because every
 * member may own the partitions and must have the processor's class.
 */
public final class UserSendBuckets {
  private final IMap<String, SendBucket> map;

  public UserSendBuckets(HazelcastInstance hz) {
    this.map = hz.getMap(Maps.USER_SEND_BUCKETS);
  }

  /** Takes up to {@code want} tokens from {@code userId}'s bucket (async; never blocks the caller). */
  public CompletionStage<SendBucket.Grant> lease(String userId, double ratePerS, double burst, int want) {
    return map.submitToKey(userId, new Lease(ratePerS, burst, want))
        .thenApply(g -> new SendBucket.Grant((int) g[0], g[1]));
  }

  /**
   * The lease, run on the bucket's partition owner. Serialized as {@link DataSerializable} and
   * answered with a {@code long[]} ({granted, retryAfterMs}), never with Java serialization: an
   * {@code ObjectOutputStream} and {@code ObjectInputStream} per lease were among the largest
   * allocations on the send path.
   */
  static final class Lease implements EntryProcessor<String, SendBucket, long[]>, DataSerializable {
    private double ratePerS;
    private double burst;
    private int want;

    public Lease() {}

    Lease(double ratePerS, double burst, int want) {
      this.ratePerS = ratePerS;
      this.burst = burst;
      this.want = want;
    }

    @Override
    public long[] process(Map.Entry<String, SendBucket> entry) {
      SendBucket.Taken t = SendBucket.take(entry.getValue(), System.currentTimeMillis(), ratePerS, burst, want);
      // Kept until it would be full again (plus a second): an absent bucket reads as full.
      long ttlMs = t.fullInMs() + 1000;
      if (entry instanceof ExtendedMapEntry<String, SendBucket> e) {
        e.setValue(t.bucket(), ttlMs, TimeUnit.MILLISECONDS);
      } else {
        entry.setValue(t.bucket());
      }
      return new long[] {t.grant().granted(), t.grant().retryAfterMs()};
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeDouble(ratePerS);
      out.writeDouble(burst);
      out.writeInt(want);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      ratePerS = in.readDouble();
      burst = in.readDouble();
      want = in.readInt();
    }
  }
}
