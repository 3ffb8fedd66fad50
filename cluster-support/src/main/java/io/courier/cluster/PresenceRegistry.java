package io.courier.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The cluster-wide connection registry: userId -> open connections with the node holding each.
 * Backed by a Hazelcast IMap; every mutation is an entry processor, so concurrent connects and
 * disconnects of one user on several nodes never lose a device. Calls never block the caller's
 * event loop: they use Hazelcast's async operations and complete on the caller's context.
 */
public final class PresenceRegistry {
  private final IMap<String, PresenceEntry> map;
  private final Vertx vertx;
  private final String localMemberId;

  public PresenceRegistry(Vertx vertx, HazelcastInstance hz) {
    this.vertx = vertx;
    this.map = hz.getMap(Maps.PRESENCE);
    this.localMemberId = hz.getCluster().getLocalMember().getUuid().toString();
  }

  /** Registers a connection held by {@code nodeId} in this member. */
  public Future<Void> addDevice(String userId, String sessionId, String nodeId) {
    long now = System.currentTimeMillis();
    PresenceEntry.Device device = new PresenceEntry.Device(nodeId, localMemberId, now);
    return on(map.submitToKey(userId, new AddDevice(sessionId, device, now))).mapEmpty();
  }

  /**
   * Registers a connection unless the user already holds {@code limit} or more in the cluster (0: no
   * limit). Check and add are one entry processor on the key's owner, so concurrent handshakes of one
   * user on several nodes can never pass the limit together. True if registered.
   */
  public Future<Boolean> addDeviceWithin(String userId, String sessionId, String nodeId, int limit) {
    if (limit <= 0) {
      // The plain processor: members of a version without AddDeviceWithin can run it, so a cluster
      // being upgraded node by node keeps registering connections (the limit is off meanwhile).
      return addDevice(userId, sessionId, nodeId).map(true);
    }
    long now = System.currentTimeMillis();
    PresenceEntry.Device device = new PresenceEntry.Device(nodeId, localMemberId, now);
    return on(map.submitToKey(userId, new AddDeviceWithin(sessionId, device, now, limit)));
  }

  public Future<Void> removeDevice(String userId, String sessionId) {
    return on(map.submitToKey(userId, new RemoveDevice(sessionId, System.currentTimeMillis()))).mapEmpty();
  }

  /** The user's entry, or null if never seen. */
  public Future<PresenceEntry> get(String userId) {
    return on(map.getAsync(userId));
  }

  /** Entries of many users in one batched call (run off the event loop: IMap.getAll is blocking). */
  public Future<Map<String, PresenceEntry>> getAll(Collection<String> userIds) {
    Set<String> keys = new HashSet<>(userIds);
    return vertx.executeBlocking(() -> map.getAll(keys), false);
  }

  /**
   * Removes every device registered by the Hazelcast member {@code memberId} (a crashed or departed
   * member). Runs on a worker: executeOnEntries is a blocking cluster-wide call.
   */
  public Future<Void> purgeMember(String memberId) {
    return vertx.executeBlocking(() -> {
      map.executeOnEntries(new PurgeMember(memberId, System.currentTimeMillis()));
      return null;
    }, false);
  }

  /** Removes the devices this member registered (on an orderly shutdown). */
  public Future<Void> purgeLocal() {
    return purgeMember(localMemberId);
  }

  public IMap<String, PresenceEntry> map() {
    return map;
  }

  private <T> Future<T> on(java.util.concurrent.CompletionStage<T> stage) {
    Context ctx = vertx.getOrCreateContext();
    return Future.fromCompletionStage(stage, ctx);
  }

  record AddDevice(String sessionId, PresenceEntry.Device device, long now)
      implements EntryProcessor<String, PresenceEntry, Boolean> {
    @Override
    public Boolean process(Map.Entry<String, PresenceEntry> entry) {
      PresenceEntry e = entry.getValue() == null ? new PresenceEntry() : entry.getValue();
      boolean cameOnline = !e.online();
      e.add(sessionId, device, now);
      entry.setValue(e);
      return cameOnline;
    }
  }

  record AddDeviceWithin(String sessionId, PresenceEntry.Device device, long now, int limit)
      implements EntryProcessor<String, PresenceEntry, Boolean> {
    @Override
    public Boolean process(Map.Entry<String, PresenceEntry> entry) {
      PresenceEntry e = entry.getValue() == null ? new PresenceEntry() : entry.getValue();
      if (limit > 0 && e.devices().size() >= limit && !e.devices().containsKey(sessionId)) {
        return false;
      }
      e.add(sessionId, device, now);
      entry.setValue(e);
      return true;
    }
  }

  record RemoveDevice(String sessionId, long now) implements EntryProcessor<String, PresenceEntry, Boolean> {
    @Override
    public Boolean process(Map.Entry<String, PresenceEntry> entry) {
      PresenceEntry e = entry.getValue();
      if (e == null || !e.remove(sessionId, now)) {
        return false;
      }
      entry.setValue(e);
      return !e.online();
    }
  }

  record PurgeMember(String memberId, long now) implements EntryProcessor<String, PresenceEntry, Boolean> {
    @Override
    public Boolean process(Map.Entry<String, PresenceEntry> entry) {
      PresenceEntry e = entry.getValue();
      if (e == null || !e.removeMember(memberId, now)) {
        return false;
      }
      entry.setValue(e);
      return true;
    }
  }
}
