package io.courier.connection.watch;

import io.courier.cluster.NodeContext;
import io.courier.cluster.Presence;
import io.courier.cluster.PresenceState;
import io.courier.protocol.ConfigKeys;
import io.courier.protocol.MetricNames;
import io.courier.protocol.ServerFrames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's side of watching: the local index of watchers ({@link WatchIndex}), the cluster
 * registrations (a per-member count in each watched user's presence entry), the limits of the
 * {@code presence} and {@code watch} frames, and the hand-over of changes to the watching
 * connections, each on its own context. One per node, shared by its gateway instances.
 */
public final class PresenceWatch {
  private static final Logger LOG = LoggerFactory.getLogger(PresenceWatch.class);

  private final String nodeId;
  private final Presence presence;
  private final WatchIndex<WatchSink> index = new WatchIndex<>();
  private final int maxWatchedUsers;
  private final int maxQueryUsers;
  private final Counter registrations;
  private final Counter refused;
  private final Counter pushed;

  public PresenceWatch(Vertx vertx, NodeContext node) {
    this.nodeId = node.nodeId();
    this.presence = node.presence();
    this.maxWatchedUsers = node.config().getInt(ConfigKeys.WATCH_MAX_USERS);
    this.maxQueryUsers = node.config().getInt(ConfigKeys.PRESENCE_MAX_USERS);
    if (maxWatchedUsers < 1) {
      throw new IllegalArgumentException(ConfigKeys.WATCH_MAX_USERS.env() + " must be >= 1, got " + maxWatchedUsers);
    }
    if (maxQueryUsers < 1) {
      throw new IllegalArgumentException(ConfigKeys.PRESENCE_MAX_USERS.env() + " must be >= 1, got " + maxQueryUsers);
    }
    Gauge.builder(MetricNames.PRESENCE_WATCHED_USERS, index, WatchIndex::userCount)
        .description("Distinct users watched by this node's connections").register(node.metrics());
    Gauge.builder(MetricNames.PRESENCE_WATCHES, index, WatchIndex::pairCount)
        .description("(connection, watched user) pairs on this node").register(node.metrics());
    registrations = Counter.builder(MetricNames.PRESENCE_WATCH_REGISTRATIONS)
        .description("Watches registered in the presence map (per connection and newly watched user)")
        .register(node.metrics());
    refused = Counter.builder(MetricNames.PRESENCE_WATCH_REFUSED)
        .description("watch frames refused with rate_limited at COURIER_WATCH_MAX_USERS").register(node.metrics());
    pushed = Counter.builder(MetricNames.PRESENCE_CHANGED_PUSHED)
        .description("presence_changed frames written to connections").register(node.metrics());
  }

  public int maxWatchedUsers() {
    return maxWatchedUsers;
  }

  public int maxQueryUsers() {
    return maxQueryUsers;
  }

  Presence presence() {
    return presence;
  }

  WatchIndex<WatchSink> index() {
    return index;
  }

  /**
   * Registers {@code sink} for {@code all} (distinct) users, {@code fresh} of which it did not watch
   * yet, and returns every one's state as of the registration. The sink is in the local index before
   * the cluster is asked, so no change after the returned state can pass it by. Completes on the
   * caller's context.
   */
  public Future<Map<String, PresenceState>> watch(WatchSink sink, List<String> all, List<String> fresh) {
    index.add(sink, fresh);
    java.util.Set<String> isFresh = new java.util.HashSet<>(fresh);
    List<String> known = all.stream().filter(u -> !isFresh.contains(u)).toList();
    // Only fresh users change the count (+1); the others are read, so a client that repeats a watch
    // does not count twice.
    Future<Map<String, PresenceState>> added = presence.watch(fresh, nodeId, 1);
    Future<Map<String, PresenceState>> read = presence.watch(known, nodeId, 0);
    return Future.all(added, read).map(ignored -> {
      registrations.increment(fresh.size());
      Map<String, PresenceState> out = new HashMap<>(added.result());
      out.putAll(read.result());
      return out;
    });
  }

  /**
   * {@code sink} stops watching {@code users}, and this member's counts go down by one. A count
   * write that fails leaves the node told about a user nobody here watches, which costs a message
   * per change until the node leaves; it never loses a change.
   */
  public void unwatch(WatchSink sink, Collection<String> users) {
    if (users.isEmpty()) {
      return;
    }
    index.remove(sink, users);
    presence.unwatch(users, nodeId).onFailure(err -> LOG.atWarn().addKeyValue("nodeId", nodeId)
        .addKeyValue("users", users.size()).addKeyValue("error", String.valueOf(err)).log("unwatch not registered"));
  }

  /** Drops {@code users} from the local index only: their registration is unknown (a failed watch). */
  public void forget(WatchSink sink, Collection<String> users) {
    index.remove(sink, users);
  }

  public void refused() {
    refused.increment();
  }

  public void pushed() {
    pushed.increment();
  }

  /** Hands each change to every local watcher of its user, on the watcher's context; encoded once. */
  void dispatch(List<PresenceState> changes) {
    for (PresenceState s : changes) {
      List<WatchSink> sinks = index.sinks(s.user());
      if (sinks.isEmpty()) {
        continue;
      }
      String frame = ServerFrames.presenceChanged(s.user(), s.online(), s.devices(), s.since()).encode();
      for (WatchSink sink : sinks) {
        sink.context().runOnContext(v -> sink.onPresenceChanged(s, frame));
      }
    }
  }
}
