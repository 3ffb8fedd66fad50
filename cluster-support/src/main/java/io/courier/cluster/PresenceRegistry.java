package io.courier.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import io.courier.cluster.PresenceProcessors.Transition;
import io.courier.cluster.PresenceProcessors.Watch;
import io.courier.protocol.Addresses;
import io.courier.protocol.MetricNames;
import io.courier.protocol.bus.PresenceChanges;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;

/**
 * The cluster-wide connection registry: userId -> open connections with the node holding each, and
 * which members watch the user. Backed by a Hazelcast IMap; every mutation is an entry processor
 * ({@link PresenceProcessors}), so concurrent connects and disconnects of one user on several nodes
 * never lose a device and give exactly one transition. Whoever applies a transition tells the
 * watching nodes at once: one message per node on {@link Addresses#presenceChanged}. Calls never
 * block the caller's event loop: they use Hazelcast's async operations or a worker thread and
 * complete on the caller's context.
 */
public final class PresenceRegistry {
  /** Changes per presence-change message; a purge of many users is split into messages of this size. */
  static final int CHANGES_PER_MESSAGE = 500;

  private final IMap<String, PresenceEntry> map;
  private final Vertx vertx;
  private final String localMemberId;
  private final Counter notifications;

  public PresenceRegistry(Vertx vertx, HazelcastInstance hz) {
    this(vertx, hz, null);
  }

  /** With {@code metrics}, counts the change messages sent ({@link MetricNames#PRESENCE_NOTIFICATIONS}). */
  public PresenceRegistry(Vertx vertx, HazelcastInstance hz, MeterRegistry metrics) {
    this.vertx = vertx;
    this.map = hz.getMap(Maps.PRESENCE);
    this.localMemberId = hz.getCluster().getLocalMember().getUuid().toString();
    this.notifications = metrics == null ? null : Counter.builder(MetricNames.PRESENCE_NOTIFICATIONS)
        .description("Presence-change messages sent to watching nodes").register(metrics);
  }

  public String localMemberId() {
    return localMemberId;
  }

  /** Registers a connection held by {@code nodeId} in this member; on the user's first, tells the watchers. */
  public Future<Void> addDevice(String userId, String sessionId, String nodeId) {
    long now = System.currentTimeMillis();
    PresenceEntry.Device device = new PresenceEntry.Device(nodeId, localMemberId, now);
    return on(map.submitToKey(userId, untyped(new AddDevice(sessionId, device, now, userId)))).map(this::notifyOne);
  }

  /**
   * Registers a connection unless the user already holds {@code limit} or more in the cluster (0: no
   * limit). Check and add are one entry processor on the key's owner, so concurrent handshakes of one
   * user on several nodes can never pass the limit together. On the user's first connection, tells
   * the watchers. True if registered.
   */
  public Future<Boolean> addDeviceWithin(String userId, String sessionId, String nodeId, int limit) {
    if (limit <= 0) {
      // The plain processor: members of a version without AddDeviceWithin can run it, so a cluster
      // being upgraded node by node keeps registering connections (the limit is off meanwhile).
      return addDevice(userId, sessionId, nodeId).map(true);
    }
    long now = System.currentTimeMillis();
    PresenceEntry.Device device = new PresenceEntry.Device(nodeId, localMemberId, now);
    if (limit <= 0) {
      // Without a limit, the processor every version knows (members of the previous version run it too).
      return addDevice(userId, sessionId, nodeId).map(v -> true);
    }
    return on(map.submitToKey(userId, new AddDeviceWithin(sessionId, device, now, userId, limit))).map(added -> {
      notifyOne(added.result());
      return added.registered();
    });
  }

  /** Removes a connection; when it was the user's last, tells the watchers. */
  public Future<Void> removeDevice(String userId, String sessionId) {
    return on(map.submitToKey(userId, untyped(new RemoveDevice(sessionId, System.currentTimeMillis(), userId))))
        .map(this::notifyOne);
  }

  /** The user's entry, or null if never seen. */
  public Future<PresenceEntry> get(String userId) {
    return on(map.getAsync(userId));
  }

  /**
   * The nodes holding a connection of {@code userId} (empty if offline): what routing a push needs,
   * read by a read-only processor on the entry's owner, so the entry itself is never copied (a
   * {@code get} clones it, serializing the whole entry, on every call).
   */
  public Future<Set<String>> nodesOf(String userId) {
    // The entry's owner may run an earlier version without this processor (a rolling restart):
    // then read the entry the way that version did.
    return on(map.submitToKey(userId, NodesOf.INSTANCE)).map(PresenceRegistry::asSet)
        .recover(err -> get(userId).map(PresenceRegistry::nodesIn));
  }

  private static Set<String> nodesIn(PresenceEntry entry) {
    if (entry == null) {
      return Set.of();
    }
    Set<String> nodes = new HashSet<>();
    entry.devices().values().forEach(d -> nodes.add(d.nodeId()));
    return nodes;
  }

  /** {@link #nodesOf} for many users in one call (one operation per member); users offline are left out. */
  public Future<Map<String, Set<String>>> nodesOfAll(Collection<String> userIds) {
    return on(map.submitToKeys(new HashSet<>(userIds), NodesOf.INSTANCE)).<Map<String, Set<String>>>map(found -> {
      Map<String, Set<String>> out = new java.util.HashMap<>(found.size() * 2);
      found.forEach((user, nodes) -> {
        if (nodes != null && nodes.length > 0) {
          out.put(user, asSet(nodes));
        }
      });
      return out;
    }).recover(err -> getAll(userIds).map(entries -> {
      Map<String, Set<String>> out = new java.util.HashMap<>();
      entries.forEach((user, entry) -> {
        Set<String> nodes = nodesIn(entry);
        if (!nodes.isEmpty()) {
          out.put(user, nodes);
        }
      });
      return out;
    }));
  }

  private static Set<String> asSet(String[] nodes) {
    return nodes == null || nodes.length == 0 ? Set.of() : new HashSet<>(java.util.Arrays.asList(nodes));
  }

  /** Node ids of an entry's devices; read-only, answered with a plain array. */
  public static final class NodesOf implements EntryProcessor<String, PresenceEntry, String[]>,
      com.hazelcast.core.ReadOnly, com.hazelcast.nio.serialization.DataSerializable {
    static final NodesOf INSTANCE = new NodesOf();

    public NodesOf() {}

    @Override
    public String[] process(Map.Entry<String, PresenceEntry> entry) {
      return nodesIn(entry.getValue()).toArray(String[]::new);
    }

    @Override
    public EntryProcessor<String, PresenceEntry, String[]> getBackupProcessor() {
      return null;
    }

    @Override
    public void writeData(com.hazelcast.nio.ObjectDataOutput out) {}

    @Override
    public void readData(com.hazelcast.nio.ObjectDataInput in) {}
  }

  /** Entries of many users in one batched call (run off the event loop: IMap.getAll is blocking). */
  public Future<Map<String, PresenceEntry>> getAll(Collection<String> userIds) {
    Set<String> keys = new HashSet<>(userIds);
    return vertx.executeBlocking(() -> map.getAll(keys), false);
  }

  /**
   * Changes this member's watch count of each user by {@code delta} (+1: one more connection of
   * {@code nodeId} watches; 0: only read) in one batched call, and returns each user's state as of
   * that change: transitions after it are told to {@code nodeId}.
   */
  public Future<Map<String, PresenceState>> watch(Collection<String> users, String nodeId, int delta) {
    if (users.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    return on(map.submitToKeys(new HashSet<>(users), new Watch(localMemberId, nodeId, delta)));
  }

  /** One connection of this member no longer watches these users. */
  public Future<Void> unwatch(Collection<String> users, String nodeId) {
    return watch(users, nodeId, -1).mapEmpty();
  }

  /**
   * Removes every device and watch registered by the Hazelcast member {@code memberId} (a crashed or
   * departed member), then tells the watchers of each user who went offline with it. Runs on a
   * worker: executeOnEntries is a blocking cluster-wide call. Returns the watched users who went
   * offline (an unwatched one goes offline all the same, with nobody to tell).
   */
  public Future<List<PresenceState>> purgeMember(String memberId) {
    long now = System.currentTimeMillis();
    return vertx.executeBlocking(() -> map.executeOnEntries(untyped(new PurgeMember(memberId, now, true))), false)
        .map(results -> {
          List<Transition> offline = new ArrayList<>();
          results.values().forEach(t -> {
            if (t instanceof Transition transition) {
              offline.add(transition);
            }
          });
          notifyAll(offline);
          return offline.stream().map(Transition::state).toList();
        });
  }

  /** Removes the devices and watches this member registered (on an orderly shutdown). */
  public Future<List<PresenceState>> purgeLocal() {
    return purgeMember(localMemberId);
  }

  /** Every member id holding a device or a watch in the map (one aggregation over all partitions). */
  public Future<Set<String>> memberIds() {
    return vertx.executeBlocking(() -> map.aggregate(new PresenceAggregators.MemberIds()), false);
  }

  /** Online users, devices and watched users, in total and per node (one aggregation). */
  public Future<PresenceAggregators.Counts> counts() {
    return vertx.executeBlocking(() -> map.aggregate(new PresenceAggregators.Count()), false);
  }

  public IMap<String, PresenceEntry> map() {
    return map;
  }

  /**
   * Object, not Transition: during a rolling restart the key's owner may run the previous version,
   * whose processors answer a Boolean; that user's watchers then hear from the re-read instead.
   */
  private Void notifyOne(Object result) {
    if (result instanceof Transition t) {
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

  /** A processor whose result is read as Object (see {@link #notifyOne}). */
  @SuppressWarnings("unchecked")
  private static EntryProcessor<String, PresenceEntry, Object> untyped(EntryProcessor<String, PresenceEntry, ?> p) {
    return (EntryProcessor<String, PresenceEntry, Object>) p;
  }

  private <T> Future<T> on(CompletionStage<T> stage) {
    Context ctx = vertx.getOrCreateContext();
    return HazelcastFutures.onContext(stage, ctx);
  }

  // ---- the device processors -----------------------------------------------------------------
  //
  // Nested here, under the names and first components the previous version used, so members of
  // both versions run each other's processors during a rolling restart: Java serialization of a
  // record drops components the reader lacks and leaves new ones null/false. A processor sent by a
  // previous-version caller therefore arrives without its last component and answers as that
  // version did (a Boolean); a current caller gets a Transition, or a Boolean from a previous-version
  // owner (whose users' watchers then hear from the re-read).

  /** Adds a device; {@code user} is null from a previous-version caller. */
  record AddDevice(String sessionId, PresenceEntry.Device device, long now, String user)
      implements EntryProcessor<String, PresenceEntry, Object> {
    @Override
    public Object process(Map.Entry<String, PresenceEntry> entry) {
      PresenceEntry e = entry.getValue() == null ? new PresenceEntry() : entry.getValue().copy();
      boolean cameOnline = e.add(sessionId, device, now);
      entry.setValue(e);
      return answer(cameOnline, e, user);
    }
  }

  /** What {@link AddDeviceWithin} did: whether it registered the device, and {@link AddDevice}'s answer if so. */
  record Added(boolean registered, Object result) implements java.io.Serializable {}

  /**
   * {@link AddDevice} unless the user already holds {@code limit} or more devices; the check and the
   * add are one step, so concurrent handshakes on several nodes cannot pass the limit together.
   */
  record AddDeviceWithin(String sessionId, PresenceEntry.Device device, long now, String user, int limit)
      implements EntryProcessor<String, PresenceEntry, Added> {
    @Override
    public Added process(Map.Entry<String, PresenceEntry> entry) {
      PresenceEntry stored = entry.getValue();
      if (stored != null && stored.devices().size() >= limit && !stored.devices().containsKey(sessionId)) {
        return new Added(false, null);
      }
      return new Added(true, new AddDevice(sessionId, device, now, user).process(entry));
    }
  }

  /** Removes a device; {@code user} is null from a previous-version caller. */
  record RemoveDevice(String sessionId, long now, String user) implements EntryProcessor<String, PresenceEntry, Object> {
    @Override
    public Object process(Map.Entry<String, PresenceEntry> entry) {
      PresenceEntry stored = entry.getValue();
      if (stored == null || !stored.devices().containsKey(sessionId)) {
        return user == null ? Boolean.FALSE : null;
      }
      PresenceEntry e = stored.copy();
      boolean wentOffline = e.remove(sessionId, now);
      entry.setValue(e);
      return answer(wentOffline, e, user);
    }
  }

  /**
   * Removes every device and watch of a departed member; a transition for each watched user who
   * went offline with it. Entries left with nothing (a never-seen user only that member watched)
   * are deleted. {@code transitions} is false from a previous-version caller.
   */
  record PurgeMember(String memberId, long now, boolean transitions)
      implements EntryProcessor<String, PresenceEntry, Object> {
    @Override
    public Object process(Map.Entry<String, PresenceEntry> entry) {
      PresenceEntry stored = entry.getValue();
      if (stored == null || !stored.holds(memberId)) {
        return transitions ? null : Boolean.FALSE;
      }
      PresenceEntry e = stored.copy();
      boolean wentOffline = e.removeMember(memberId, now);
      entry.setValue(e.empty() ? null : e);
      if (!transitions) {
        return Boolean.TRUE;
      }
      return answer(wentOffline, e, entry.getKey());
    }
  }

  private static Object answer(boolean transition, PresenceEntry e, String user) {
    if (user == null) {
      return transition;
    }
    if (!transition) {
      return null;
    }
    Set<String> watching = e.watchingNodes();
    return watching.isEmpty() ? null : new Transition(e.state(user), watching);
  }
}
