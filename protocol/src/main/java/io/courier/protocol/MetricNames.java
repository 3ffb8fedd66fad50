package io.courier.protocol;

import java.util.List;

/**
 * Every metric a Courier node exports, named as Micrometer meters (dots). The Prometheus endpoint
 * turns them into Prometheus names: dots become underscores, counters get {@code _total}, timers
 * get {@code _seconds} (e.g. {@code courier.connections.opened} is scraped as
 * {@code courier_connections_opened_total}). docs/operations.md lists them with their labels.
 * Every meter carries the label {@link #NODE}; labels never hold a user id.
 */
public final class MetricNames {
  private MetricNames() {}

  // labels
  /** Every meter: the node id. */
  public static final String NODE = "node";
  /** Close code of a connection (1000, 1001, 4001, ..., or "none"). */
  public static final String CODE = "code";
  /** Frame type ({@code send}, {@code msg}, ...; "invalid" for an unparseable client frame). */
  public static final String TYPE = "type";
  /** Why something was refused or failed. */
  public static final String REASON = "reason";
  /** Delivery stage: {@link #STAGE_DELIVERED} or {@link #STAGE_ACKED}. */
  public static final String STAGE = "stage";
  public static final String STAGE_DELIVERED = "delivered";
  public static final String STAGE_ACKED = "acked";
  /** Which rate limit refused a frame: {@link #LIMIT_FRAMES}, {@link #LIMIT_BYTES}, {@link #LIMIT_USER_SENDS}, {@link #LIMIT_PENDING_SENDS}. */
  public static final String LIMIT = "limit";
  public static final String LIMIT_FRAMES = "frames";
  public static final String LIMIT_BYTES = "bytes";
  public static final String LIMIT_USER_SENDS = "user_sends";
  public static final String LIMIT_PENDING_SENDS = "pending_sends";
  /** Why a slow consumer was cut: {@link #SLOW_UNACKED} or {@link #SLOW_OUTBOUND}. */
  public static final String SLOW_UNACKED = "unacked";
  public static final String SLOW_OUTBOUND = "outbound";
  /** Store operation: {@code append} or {@code read}; room membership: {@code join} or {@code leave}. */
  public static final String OP = "op";
  /** How a request ended: {@code ok}, {@code dup}, {@code forbidden}, {@code full}, {@code failed}. */
  public static final String OUTCOME = "outcome";
  /** What a revocation covers: {@link #KIND_USER} or {@link #KIND_JTI}. */
  public static final String KIND = "kind";
  public static final String KIND_USER = "user";
  public static final String KIND_JTI = "jti";

  // connections (gateway)
  public static final String CONNECTIONS = "courier.connections";
  public static final String CONNECTION_LIMIT = "courier.connection.limit";
  public static final String CONNECTION_CAPACITY_RATIO = "courier.connection.capacity.ratio";
  public static final String CONNECTIONS_OPENED = "courier.connections.opened";
  public static final String CONNECTIONS_CLOSED = "courier.connections.closed";
  public static final String CONNECTION_DURATION = "courier.connection.duration";
  public static final String HANDSHAKES_REFUSED = "courier.handshakes.refused";
  public static final String AUTH_FAILURES = "courier.auth.failures";
  public static final String RECONNECTS = "courier.reconnects";
  /** Sockets held that are not yet authenticated connections (COURIER_MAX_PENDING_HANDSHAKES counts them). */
  public static final String HANDSHAKES_PENDING = "courier.handshakes.pending";
  /** Sockets closed on accept because COURIER_MAX_PENDING_HANDSHAKES sockets were already pending. */
  public static final String PENDING_REFUSED = "courier.handshakes.pending.refused";
  /** 1 while the node's listeners do not accept sockets because COURIER_MAX_PENDING_HANDSHAKES are pending. */
  public static final String ACCEPT_PAUSED = "courier.handshakes.accept.paused";
  /** Times the node's listeners stopped accepting because COURIER_MAX_PENDING_HANDSHAKES sockets were pending. */
  public static final String ACCEPT_PAUSES = "courier.handshakes.accept.pauses";
  /** Pending sockets the server closed, by {@link #REASON}: {@link #TIMEOUT_HANDSHAKE}, {@link #TIMEOUT_IDLE}, {@link #TIMEOUT_BRIDGE_AUTH}. */
  public static final String HANDSHAKE_TIMEOUTS = "courier.handshake.timeouts";
  /** Not upgraded and authenticated (or no whole HTTP request) within COURIER_HANDSHAKE_TIMEOUT_MS. */
  public static final String TIMEOUT_HANDSHAKE = "handshake";
  /** A keep-alive HTTP connection without a request for COURIER_HTTP_IDLE_TIMEOUT_MS. */
  public static final String TIMEOUT_IDLE = "idle";
  /** A SockJS bridge socket not authenticated within COURIER_HANDSHAKE_TIMEOUT_MS. */
  public static final String TIMEOUT_BRIDGE_AUTH = "bridge_auth";

  // frames and delivery (gateway)
  public static final String FRAMES_IN = "courier.frames.in";
  public static final String FRAMES_OUT = "courier.frames.out";
  public static final String DELIVERY_LATENCY = "courier.delivery.latency";
  public static final String ROUTING_LATENCY = "courier.routing.latency";
  public static final String RETRANSMITS = "courier.retransmits";
  public static final String UNACKED = "courier.unacked.messages";
  public static final String SLOW_CONSUMER_CLOSES = "courier.slow.consumer.closes";
  public static final String SYNCS = "courier.syncs";
  public static final String SYNCS_TRUNCATED = "courier.syncs.truncated";
  /**
   * Inboxes found older than what a client had seen in the same epoch (the store went back), by
   * {@link #DETECTED_BY}: {@link #DETECTED_SYNC} (a sync answered with reset) or
   * {@link #DETECTED_LIVE} (a live connection closed with 1012).
   */
  public static final String INBOX_ROLLBACKS = "courier.inbox.rollbacks";
  public static final String DETECTED_BY = "detected_by";
  public static final String DETECTED_SYNC = "sync";
  public static final String DETECTED_LIVE = "live";
  public static final String RATE_LIMITED = "courier.rate.limited";
  /** Connections closed with 1008 for repeated rate_limited answers. */
  public static final String RATE_LIMIT_CLOSES = "courier.rate.limit.closes";
  /** Leases taken from the cluster-wide per-user send buckets (one cluster call each). */
  public static final String USER_RATE_LEASES = "courier.rate.user.leases";
  /** Connections closed for silence past the idle timeout (dead or half-open clients). */
  public static final String IDLE_CLOSES = "courier.idle.closes";
  /** Client frames refused by input checks, by reason (too_large, invalid_json, json_limit, binary, invalid_utf8, transport). */
  public static final String FRAMES_REFUSED = "courier.frames.refused";
  /** Bytes of server frames queued in the node for clients (written, not yet taken by the kernel). */
  public static final String OUTBOUND_QUEUED_BYTES = "courier.outbound.queued.bytes";
  /** Server frames queued in the node for clients. */
  public static final String OUTBOUND_QUEUED_FRAMES = "courier.outbound.queued.frames";
  /** Sends received and not yet answered (waiting for a lease or the store), over all connections. */
  public static final String PENDING_SENDS = "courier.sends.pending";

  // revocation (gateway)
  /** Revocations accepted by this node's admin endpoint. */
  public static final String REVOCATIONS = "courier.revocations";
  /** Connections this node closed with 4003 because their token was revoked. */
  public static final String REVOKED_CLOSES = "courier.revoked.closes";
  /** Revocations in force in this node's local list (what handshakes are checked against). */
  public static final String REVOCATIONS_ACTIVE = "courier.revocations.active";

  // store (delivery)
  public static final String MESSAGES_STORED = "courier.messages.stored";
  public static final String STORE_LATENCY = "courier.store.latency";
  public static final String STORE_ERRORS = "courier.store.errors";
  /**
   * Hazelcast store only (not in {@link #PROMETHEUS}): the estimated heap its inbox replicas hold in
   * this JVM, and the budget sends are refused past (bytes).
   */
  public static final String STORE_MEMORY_USED = "courier.store.memory.used";
  public static final String STORE_MEMORY_BUDGET = "courier.store.memory.budget";

  // rooms (delivery)
  /** Room sends handled, by {@link #OUTCOME}. */
  public static final String ROOM_SENDS = "courier.room.sends";
  /** Inbox copies a room fan-out wrote (label dup: already there from an earlier attempt). */
  public static final String FANOUT_RECIPIENTS = "courier.room.fanout.recipients";
  /** A room send from the membership read to the last push handed to the bus (all inboxes written). */
  public static final String FANOUT_LATENCY = "courier.room.fanout.latency";
  /** Joins and leaves, by {@link #OP} (join, leave) and {@link #OUTCOME}. */
  public static final String ROOM_MEMBERSHIP = "courier.room.membership.changes";
  // presence (gateway: watches and pushes; presence verticle: purges; any node: notifications)
  /** Distinct users watched by this node's connections. */
  public static final String PRESENCE_WATCHED_USERS = "courier.presence.watched.users";
  /** (connection, watched user) pairs on this node. */
  public static final String PRESENCE_WATCHES = "courier.presence.watches";
  /** Watch registrations written to the presence map (one per connection and newly watched user). */
  public static final String PRESENCE_WATCH_REGISTRATIONS = "courier.presence.watch.registrations";
  /** watch frames refused at COURIER_WATCH_MAX_USERS. */
  public static final String PRESENCE_WATCH_REFUSED = "courier.presence.watch.refused";
  /** presence_changed frames written to connections. */
  public static final String PRESENCE_CHANGED_PUSHED = "courier.presence.changed.pushed";
  /** Presence-change messages this node sent to watching nodes (one per node and batch). */
  public static final String PRESENCE_NOTIFICATIONS = "courier.presence.notifications";
  /** Departed members whose devices and watches this node purged, by {@link #REASON}. */
  public static final String PRESENCE_PURGES = "courier.presence.purges";
  public static final String PURGE_MEMBER_REMOVED = "member_removed";
  public static final String PURGE_LEASE_EXPIRED = "lease_expired";

  // node
  public static final String EVENT_LOOP_LAG = "courier.event.loop.lag";
  public static final String CLUSTER_MEMBERS = "courier.cluster.members";

  /** Prometheus name of a counter. */
  public static String counter(String name) {
    return prometheus(name) + "_total";
  }

  /** Prometheus base name of a timer (its series add _count, _sum, _max, {quantile} or _bucket). */
  public static String timer(String name) {
    return prometheus(name) + "_seconds";
  }

  /** Prometheus name of a gauge. */
  public static String prometheus(String name) {
    return name.replace('.', '_');
  }

  /** Every Prometheus series name a node with all verticles exports (base names of timers). */
  public static final List<String> PROMETHEUS = List.of(
      prometheus(CONNECTIONS), prometheus(CONNECTION_LIMIT), prometheus(CONNECTION_CAPACITY_RATIO),
      counter(CONNECTIONS_OPENED), counter(CONNECTIONS_CLOSED), timer(CONNECTION_DURATION),
      counter(HANDSHAKES_REFUSED), counter(AUTH_FAILURES), counter(RECONNECTS),
      prometheus(HANDSHAKES_PENDING), counter(PENDING_REFUSED), prometheus(ACCEPT_PAUSED), counter(ACCEPT_PAUSES),
      counter(HANDSHAKE_TIMEOUTS),
      counter(FRAMES_IN), counter(FRAMES_OUT), timer(DELIVERY_LATENCY), timer(ROUTING_LATENCY),
      counter(RETRANSMITS), prometheus(UNACKED), counter(SLOW_CONSUMER_CLOSES), counter(SYNCS),
      counter(SYNCS_TRUNCATED), counter(INBOX_ROLLBACKS), counter(RATE_LIMITED), counter(RATE_LIMIT_CLOSES), counter(USER_RATE_LEASES),
      counter(IDLE_CLOSES), counter(FRAMES_REFUSED), prometheus(OUTBOUND_QUEUED_BYTES),
      prometheus(OUTBOUND_QUEUED_FRAMES), prometheus(PENDING_SENDS),
      counter(REVOCATIONS), counter(REVOKED_CLOSES), prometheus(REVOCATIONS_ACTIVE),
      counter(MESSAGES_STORED), timer(STORE_LATENCY),
      counter(STORE_ERRORS), counter(ROOM_SENDS), counter(FANOUT_RECIPIENTS), timer(FANOUT_LATENCY),
      counter(ROOM_MEMBERSHIP), timer(EVENT_LOOP_LAG), prometheus(CLUSTER_MEMBERS),
      prometheus(PRESENCE_WATCHED_USERS), prometheus(PRESENCE_WATCHES), counter(PRESENCE_WATCH_REGISTRATIONS),
      counter(PRESENCE_WATCH_REFUSED), counter(PRESENCE_CHANGED_PUSHED), counter(PRESENCE_NOTIFICATIONS),
      counter(PRESENCE_PURGES));
}
