package io.courier.presence.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.courier.cluster.HazelcastFutures;
import io.courier.cluster.Maps;
import io.courier.cluster.Presence;
import io.courier.cluster.PresenceCounts;
import io.courier.cluster.PresenceDetail;
import io.courier.cluster.PresenceState;
import io.courier.presence.hazelcast.PresenceProcessors.AddDevice;
import io.courier.presence.hazelcast.PresenceProcessors.AddDeviceWithin;
import io.courier.presence.hazelcast.PresenceProcessors.NodesOf;
import io.courier.presence.hazelcast.PresenceProcessors.PurgeMember;
import io.courier.presence.hazelcast.PresenceProcessors.RemoveDevice;
import io.courier.presence.hazelcast.PresenceProcessors.Transition;
import io.courier.presence.hazelcast.PresenceProcessors.Watch;
import io.courier.protocol.Addresses;
import io.courier.protocol.MetricNames;
import io.courier.protocol.bus.PresenceChanges;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;

/**
 * Presence in a Hazelcast IMap: userId -> {@link PresenceEntry} (open connections with the node and
 * member holding each, and which members watch the user). Every mutation is an entry processor
 * ({@link PresenceProcessors}), so concurrent connects and disconnects of one user on several nodes
 * never lose a device and give exactly one transition. Whoever applies a transition tells the
 * watching nodes at once: one message per node on {@link Addresses#presenceChanged}. Calls use
 * Hazelcast's async operations, or a worker thread for the blocking ones, and complete on the
 * caller's context. Leases live in a second map ({@link PresenceLeases}).
 */
public final class HazelcastPresence implements Presence {
  /** Changes per presence-change message; a purge of many users is split into messages of this size. */
  static final int CHANGES_PER_MESSAGE = 500;

  private final IMap<String, PresenceEntry> map;
  private final PresenceLeases leases;
  private final Vertx vertx;
  private final String localMemberId;
  private final Counter notifications;

  public HazelcastPresence(Vertx vertx, HazelcastInstance hz) {
    this(vertx, hz, null);
  }

  /** With {@code metrics}, counts the change messages sent ({@link MetricNames#PRESENCE_NOTIFICATIONS}). */
  public HazelcastPresence(Vertx vertx, HazelcastInstance hz, MeterRegistry metrics) {
    this.vertx = vertx;
    this.map = hz.getMap(Maps.PRESENCE);
    this.leases = new PresenceLeases(vertx, hz);
    this.localMemberId = hz.getCluster().getLocalMember().getUuid().toString();
    this.notifications = metrics == null ? null : Counter.builder(MetricNames.PRESENCE_NOTIFICATIONS)
        .description("Presence-change messages sent to watching nodes").register(metrics);
  }

  @Override
  public String localMemberId() {
    return localMemberId;
  }

  @Override
  public Future<Void> addDevice(String userId, String sessionId, String nodeId) {
    long now = System.currentTimeMillis();
    PresenceEntry.Device device = new PresenceEntry.Device(nodeId, localMemberId, now);
    return on(map.submitToKey(userId, new AddDevice(sessionId, device, now))).map(this::notifyOne);
  }

  @Override
  public Future<Boolean> addDeviceWithin(String userId, String sessionId, String nodeId, int limit) {
    if (limit <= 0) {
      return addDevice(userId, sessionId, nodeId).map(true);
    }
    long now = System.currentTimeMillis();
    PresenceEntry.Device device = new PresenceEntry.Device(nodeId, localMemberId, now);
    return on(map.submitToKey(userId, new AddDeviceWithin(sessionId, device, now, limit))).map(added -> {
      notifyOne(added.transition());
      return added.registered();
    });
  }

  @Override
  public Future<Void> removeDevice(String userId, String sessionId) {
    return on(map.submitToKey(userId, new RemoveDevice(sessionId, System.currentTimeMillis()))).map(this::notifyOne);
  }

  /** Read by a read-only processor on the entry's owner, so the entry itself is never copied. */
  @Override
  public Future<Set<String>> nodesOf(String userId) {
    return on(map.submitToKey(userId, NodesOf.INSTANCE)).map(HazelcastPresence::asSet);
  }

  /** One operation per member. */
  @Override
  public Future<Map<String, Set<String>>> nodesOfAll(Collection<String> userIds) {
    return on(map.submitToKeys(new HashSet<>(userIds), NodesOf.INSTANCE)).map(found -> {
      Map<String, Set<String>> out = new HashMap<>(found.size() * 2);
      found.forEach((user, nodes) -> {
        if (nodes != null && nodes.length > 0) {
          out.put(user, asSet(nodes));
        }
      });
      return out;
    });
  }

  private static Set<String> asSet(String[] nodes) {
    return nodes == null || nodes.length == 0 ? Set.of() : new HashSet<>(Arrays.asList(nodes));
  }

  /** One batched read (run off the event loop: IMap.getAll is blocking). */
  @Override
  public Future<Map<String, PresenceState>> states(Collection<String> userIds) {
    return getAll(userIds).map(found -> {
      Map<String, PresenceState> out = new HashMap<>(userIds.size() * 2);
      for (String u : userIds) {
        PresenceEntry e = found.get(u);
        out.put(u, e == null ? PresenceState.unknown(u) : e.state(u));
      }
      return out;
    });
  }

  @Override
  public Future<PresenceDetail> detail(String userId) {
    return on(map.getAsync(userId)).map(e -> {
      if (e == null) {
        return PresenceDetail.unknown(userId);
      }
      Map<String, PresenceDetail.Connection> connections = new TreeMap<>();
      e.devices().forEach((sessionId, d) -> connections.put(sessionId, new PresenceDetail.Connection(d.nodeId(), d.since())));
      return new PresenceDetail(userId, connections, e.since(), e.lastSeen(), e.watchingNodes());
    });
  }

  /** Entries of many users in one batched call (run off the event loop: IMap.getAll is blocking). */
  Future<Map<String, PresenceEntry>> getAll(Collection<String> userIds) {
    Set<String> keys = new HashSet<>(userIds);
    return vertx.executeBlocking(() -> map.getAll(keys), false);
  }

  @Override
  public Future<Map<String, PresenceState>> watch(Collection<String> users, String nodeId, int delta) {
    if (users.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    return on(map.submitToKeys(new HashSet<>(users), new Watch(localMemberId, nodeId, delta)));
  }

  /** Runs on a worker: executeOnEntries is a blocking cluster-wide call. */
  @Override
  public Future<List<PresenceState>> purgeMember(String memberId) {
    long now = System.currentTimeMillis();
    return vertx.executeBlocking(() -> map.executeOnEntries(new PurgeMember(memberId, now)), false)
        .map(results -> {
          List<Transition> offline = new ArrayList<>();
          results.values().forEach(t -> {
            if (t != null) {
              offline.add(t);
            }
          });
          notifyAll(offline);
          return offline.stream().map(Transition::state).toList();
        });
  }

  /** One aggregation over all partitions. */
  @Override
  public Future<Set<String>> memberIds() {
    return vertx.executeBlocking(() -> map.aggregate(new PresenceAggregators.MemberIds()), false);
  }

  /** One aggregation over all partitions. */
  @Override
  public Future<PresenceCounts> counts() {
    return vertx.executeBlocking(() -> map.aggregate(new PresenceAggregators.Count()), false);
  }

  @Override
  public Future<Void> renewLease(String nodeId, long ttlMs) {
    return leases.renew(localMemberId, nodeId, ttlMs);
  }

  @Override
  public Future<Void> releaseLease() {
    return leases.release(localMemberId);
  }

  @Override
  public Future<Map<String, String>> leases() {
    return leases.all();
  }

  /** The map itself, for the memory benchmark ({@link PresenceMemory}). */
  IMap<String, PresenceEntry> map() {
    return map;
  }

  private Void notifyOne(Transition t) {
    if (t != null) {
      notifyAll(List.of(t));
    }
    return null;
  }

  /** One message per watching node (split at {@link #CHANGES_PER_MESSAGE}). */
  private void notifyAll(List<Transition> transitions) {
    Map<String, List<PresenceChanges.Change>> byNode = new TreeMap<>();
    for (Transition t : transitions) {
      PresenceChanges.Change change = t.state().change();
      for (String node : t.watchingNodes()) {
        byNode.computeIfAbsent(node, n -> new ArrayList<>()).add(change);
      }
    }
    long now = System.currentTimeMillis();
    byNode.forEach((node, changes) -> {
      for (int from = 0; from < changes.size(); from += CHANGES_PER_MESSAGE) {
        List<PresenceChanges.Change> part = changes.subList(from, Math.min(changes.size(), from + CHANGES_PER_MESSAGE));
        // Fire and forget: a node that is gone has no consumer; a lost message is made up by the
        // watching node's periodic re-read (COURIER_PRESENCE_RECONCILE_MS).
        vertx.eventBus().send(Addresses.presenceChanged(node), new PresenceChanges(part, now).toJson());
        if (notifications != null) {
          notifications.increment();
        }
      }
    });
  }

  private <T> Future<T> on(CompletionStage<T> stage) {
    Context ctx = vertx.getOrCreateContext();
    return HazelcastFutures.onContext(stage, ctx);
  }
}
