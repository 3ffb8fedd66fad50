package io.courier.connection.session;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.ExtendedMapEntry;
import com.hazelcast.map.IMap;
import io.courier.cluster.Maps;
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
    return map.submitToKey(userId, new Lease(ratePerS, burst, want));
  }

  record Lease(double ratePerS, double burst, int want) implements EntryProcessor<String, SendBucket, SendBucket.Grant> {
    @Override
    public SendBucket.Grant process(Map.Entry<String, SendBucket> entry) {
      SendBucket.Taken t = SendBucket.take(entry.getValue(), System.currentTimeMillis(), ratePerS, burst, want);
      // Kept until it would be full again (plus a second): an absent bucket reads as full.
      long ttlMs = t.fullInMs() + 1000;
      if (entry instanceof ExtendedMapEntry<String, SendBucket> e) {
        e.setValue(t.bucket(), ttlMs, TimeUnit.MILLISECONDS);
      } else {
        entry.setValue(t.bucket());
      }
      return t.grant();
    }
  }
}
