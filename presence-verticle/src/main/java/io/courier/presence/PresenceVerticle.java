package io.courier.presence;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import io.courier.cluster.Maps;
import io.courier.cluster.NodeContext;
import io.courier.cluster.Presence;
import io.courier.cluster.PresenceState;
import io.courier.protocol.Addresses;
import io.courier.protocol.Bus;
import io.courier.protocol.BusFailures;
import io.courier.protocol.ConfigKeys;
import io.courier.protocol.ErrorCodes;
import io.courier.protocol.MetricNames;
import io.courier.protocol.bus.PresenceQuery;
import io.courier.protocol.bus.UserPresence;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers cluster-wide presence queries and keeps the presence map free of ghosts:
 * <ul>
 *   <li>when a Hazelcast member leaves (crash or shutdown), every device and watch it held is removed
 *   and the watchers of its users are told they went offline;</li>
 *   <li>every {@code COURIER_PRESENCE_SWEEP_MS} it looks for members that hold data in the map but are
 *   neither in the cluster nor leased, and purges them the same way: the backstop for a member-removed
 *   event this verticle never saw (it was not running, or the purge failed while partitions moved).</li>
 * </ul>
 * Every presence verticle in the cluster does both; purges are idempotent and a transition is decided
 * once, in the map, so watchers are told once.
 */
public final class PresenceVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(PresenceVerticle.class);

  private final NodeContext node;
  private int maxUsersPerQuery;
  private long sweepMs;
  private Presence presence;
  private UUID membershipRegistration;
  private Counter purgedOnRemoval;
  private Counter purgedOnLease;
  private Future<?> sweeping = Future.succeededFuture();

  public PresenceVerticle(NodeContext node) {
    this.node = node;
  }

  @Override
  public Future<?> start() {
    maxUsersPerQuery = node.config().getInt(ConfigKeys.PRESENCE_MAX_USERS);
    sweepMs = node.config().getLong(ConfigKeys.PRESENCE_SWEEP_MS);
    if (maxUsersPerQuery < 1) {
      return Future.failedFuture(new IllegalArgumentException(
          ConfigKeys.PRESENCE_MAX_USERS.env() + " must be >= 1, got " + maxUsersPerQuery));
    }
    if (sweepMs < 1) {
      return Future.failedFuture(new IllegalArgumentException(
          ConfigKeys.PRESENCE_SWEEP_MS.env() + " must be >= 1, got " + sweepMs));
    }
    presence = node.presence();
    purgedOnRemoval = purges(MetricNames.PURGE_MEMBER_REMOVED);
    purgedOnLease = purges(MetricNames.PURGE_LEASE_EXPIRED);
    Context ctx = context;
    membershipRegistration = node.hazelcast().getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {}

      @Override
      public void memberRemoved(MembershipEvent event) {
        String goneNode = event.getMember().getAttribute(Maps.NODE_ID_ATTRIBUTE);
        String goneMember = event.getMember().getUuid().toString();
        // Hazelcast event thread: hop onto our context before touching Vert.x APIs.
        ctx.runOnContext(v -> purge(goneNode, goneMember, MetricNames.PURGE_MEMBER_REMOVED));
      }
    });
    vertx.setPeriodic(sweepMs, id -> sweep());
    MessageConsumer<JsonObject> query = vertx.eventBus().consumer(Addresses.PRESENCE_QUERY, this::onQuery);
    return query.completion();
  }

  private Counter purges(String reason) {
    return Counter.builder(MetricNames.PRESENCE_PURGES)
        .description("Departed members whose presence devices and watches were purged")
        .tag(MetricNames.REASON, reason).register(node.metrics());
  }

  @Override
  public Future<?> stop() {
    if (membershipRegistration != null) {
      node.hazelcast().getCluster().removeMembershipListener(membershipRegistration);
    }
    return Future.succeededFuture();
  }

  private Future<List<PresenceState>> purge(String nodeId, String memberId, String reason) {
    long started = System.currentTimeMillis();
    return presence.purgeMember(memberId)
        .onSuccess(offline -> {
          (MetricNames.PURGE_LEASE_EXPIRED.equals(reason) ? purgedOnLease : purgedOnRemoval).increment();
          LOG.atInfo().addKeyValue("nodeId", node.nodeId()).addKeyValue("goneNodeId", nodeId)
              .addKeyValue("goneMemberId", memberId).addKeyValue("reason", reason)
              .addKeyValue("watchedUsersOffline", offline.size())
              .addKeyValue("tookMs", System.currentTimeMillis() - started).log("purged presence of departed node");
        })
        .onFailure(err -> LOG.atWarn().addKeyValue("nodeId", node.nodeId()).addKeyValue("goneNodeId", nodeId)
            .addKeyValue("goneMemberId", memberId).addKeyValue("reason", reason)
            .setCause(err).log("presence purge failed; the sweep retries it once the member's lease is gone"));
  }

  /**
   * One pass of the backstop: member ids in the map, then the member list and the leases (in that
   * order, see {@link Orphans}), then a purge of each orphan. One pass at a time per verticle.
   */
  Future<Set<String>> sweep() {
    if (!sweeping.isComplete()) {
      return Future.succeededFuture(Set.of());
    }
    Future<Set<String>> pass = presence.memberIds().compose(inMap -> {
      if (inMap.isEmpty()) {
        return Future.succeededFuture(Set.<String>of());
      }
      Set<String> members = node.hazelcast().getCluster().getMembers().stream()
          .map(Member::getUuid).map(UUID::toString).collect(Collectors.toSet());
      return presence.leases().compose(leases -> {
        Set<String> orphans = Orphans.of(inMap, members, leases.keySet());
        List<Future<List<PresenceState>>> purges = new ArrayList<>();
        for (String memberId : orphans) {
          purges.add(purge("unknown", memberId, MetricNames.PURGE_LEASE_EXPIRED));
        }
        return Future.join(purges).transform(ar -> Future.succeededFuture(orphans));
      });
    });
    sweeping = pass.onFailure(err -> LOG.atWarn().addKeyValue("nodeId", node.nodeId()).setCause(err)
        .log("presence sweep failed; the next one retries"));
    return pass;
  }

  private void onQuery(Message<JsonObject> msg) {
    JsonObject doc = msg.body();
    if (!Bus.readable(doc) || !PresenceQuery.Request.hasUsers(doc)) {
      msg.fail(BusFailures.INVALID, BusFailures.message(ErrorCodes.BAD_FRAME, "presence needs v and users"));
      return;
    }
    PresenceQuery.Request req = PresenceQuery.Request.fromJson(doc);
    if (req == null) {
      msg.fail(BusFailures.INVALID, BusFailures.message(ErrorCodes.BAD_FRAME, "users must be strings"));
      return;
    }
    List<String> ids = req.users();
    if (ids.size() > maxUsersPerQuery) {
      msg.fail(BusFailures.INVALID, BusFailures.message(ErrorCodes.BAD_FRAME,
          "at most " + maxUsersPerQuery + " users per presence request"));
      return;
    }
    presence.states(ids)
        .onSuccess(found -> msg.reply(describe(ids, found).toJson()))
        .onFailure(err -> msg.fail(BusFailures.STORE_UNAVAILABLE,
            BusFailures.message(ErrorCodes.UNAVAILABLE, "presence map unavailable")));
  }

  /** The reply: each user asked for, in that order; offline users carry last-seen as since. */
  static PresenceQuery.Reply describe(List<String> ids, Map<String, PresenceState> found) {
    Map<String, UserPresence> out = new LinkedHashMap<>();
    for (String id : ids) {
      PresenceState s = found.getOrDefault(id, PresenceState.unknown(id));
      out.put(id, new UserPresence(s.online(), s.devices(), s.since()));
    }
    return new PresenceQuery.Reply(out);
  }
}
