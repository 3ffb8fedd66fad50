package io.courier.protocol;

/**
 * Event-bus addresses between Courier's verticles. Every body is a JSON object with a version
 * field {@code v} (see {@link Bus}); each shape is a record in {@link io.courier.protocol.bus}.
 *
 * <p>Routing to connections uses ONE clustered consumer per node ({@link #node(String)}), never one
 * per user or connection: every clustered registration is cluster-wide state.
 */
public final class Addresses {
  private Addresses() {}

  /** Request/reply: store a client's {@code send} and fan it out. Served by delivery. */
  public static final String DELIVERY_SEND = "courier.delivery.send";
  /** Request/reply: read a page of an inbox (also used for its head: epoch and lastSeq). */
  public static final String DELIVERY_READ = "courier.delivery.read";
  /**
   * Request/reply: how the store behind delivery is deployed ({@code {v}} -> {@code {v, store, warnings[]}}):
   * the settings that can lose acknowledged messages, shown in the gateway's readiness detail. Served
   * by delivery, asked on this node first like every delivery request.
   */
  public static final String STORE_CHECKS = "courier.delivery.store-checks";
  /** Request/reply: presence of a list of users, cluster-wide. Served by presence. */
  public static final String PRESENCE_QUERY = "courier.presence.query";

  /**
   * Request/reply: add a user to a room ({@code {v, room, user}} -> {@code {v, room, added}}). Served
   * by delivery, which owns the store the membership lives in. The gateway checks the token's
   * {@code rooms} claim before asking; this address checks the caps.
   */
  public static final String ROOM_JOIN = "courier.room.join";
  /** Request/reply: remove a user from a room ({@code {v, room, user}} -> {@code {v, room, removed}}). */
  public static final String ROOM_LEAVE = "courier.room.leave";
  /** Request/reply, admin read: a room's members ({@code {v, room}} -> {@code {v, room, count, members[]}}). */
  public static final String ROOM_MEMBERS = "courier.room.members";
  /** Request/reply, admin read: a user's rooms ({@code {v, user}} -> {@code {v, user, count, rooms[]}}). */
  public static final String ROOM_USER_ROOMS = "courier.room.user-rooms";
  /** Request/reply, admin read: how many rooms have members ({@code {v}} -> {@code {v, rooms}}). */
  public static final String ROOM_STATS = "courier.room.stats";
  /** Request/reply, admin: delete a room and every membership in it ({@code {v, room}} -> {@code {v, room, removed}}). */
  public static final String ROOM_DELETE = "courier.room.delete";

  /**
   * Publish: a token revocation ({@link Bus#USER} or {@link Bus#JTI}, {@link Bus#AT}), consumed once
   * per node by the gateway, which closes the matching local connections with 4003.
   */
  public static final String REVOCATIONS = "courier.revocations";

  /** Prefix of the per-node address that receives pushes for connections held by that node. */
  public static final String NODE_PREFIX = "courier.node.";

  public static String node(String nodeId) {
    return NODE_PREFIX + nodeId;
  }

  /**
   * Prefix of the per-node address that receives presence changes of users watched on that node.
   * Not under {@link #NODE_PREFIX}, so no node id can make it collide with a push address.
   */
  public static final String PRESENCE_CHANGED_PREFIX = "courier.presence.changed.";

  /** One-way: {@code {v, changes: [{user, online, devices, since?, rev}], sentAt}}; one consumer per node. */
  public static String presenceChanged(String nodeId) {
    return PRESENCE_CHANGED_PREFIX + nodeId;
  }
}
