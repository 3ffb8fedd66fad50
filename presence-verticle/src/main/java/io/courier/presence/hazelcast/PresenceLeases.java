package io.courier.presence.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.courier.cluster.HazelcastFutures;
import io.courier.cluster.Maps;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;

/**
 * Leases of the members that register devices and watches (gateway nodes): memberId -> nodeId with a
 * Hazelcast TTL, renewed every third of it. A lease that lapsed means its member stopped renewing.
 * The sweep ({@code io.courier.presence.Orphans}) purges a member only when it is neither in the cluster's member list
 * nor leased: the member list protects a live member whose renewals were late, the lease protects a
 * member that joined after the sweeper read the member list.
 */
final class PresenceLeases {
  private final IMap<String, String> map;
  private final Vertx vertx;

  PresenceLeases(Vertx vertx, HazelcastInstance hz) {
    this.vertx = vertx;
    this.map = hz.getMap(Maps.PRESENCE_LEASES);
  }

  /**
   * Hazelcast keeps an entry's expiration time in whole seconds, so an entry can expire up to a
   * second before its TTL in milliseconds says. A lease must never lapse early (the sweep would purge
   * a member that still had time to renew), so the TTL written is the lease plus that second.
   */
  static final long EXPIRY_GRANULARITY_MS = 1000;

  /** Takes or renews the lease of {@code memberId}: held for at least {@code ttlMs}. */
  public Future<Void> renew(String memberId, String nodeId, long ttlMs) {
    return HazelcastFutures.onContext(
        map.setAsync(memberId, nodeId, ttlMs + EXPIRY_GRANULARITY_MS, TimeUnit.MILLISECONDS),
        vertx.getOrCreateContext());
  }

  /** Gives the lease up (an orderly stop). */
  public Future<Void> release(String memberId) {
    return HazelcastFutures.onContext(map.removeAsync(memberId), vertx.getOrCreateContext()).mapEmpty();
  }

  /** memberId -> nodeId of every lease (for the admin view). */
  public Future<java.util.Map<String, String>> all() {
    return vertx.executeBlocking(() -> new java.util.TreeMap<>(map), false);
  }
}
