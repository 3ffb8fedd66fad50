package io.courier.cluster;

/**
 * Names of Courier's Hazelcast data structures. Their configuration lives in {@link ClusterSetup}
 * because every member may own partitions of every map, whatever verticles it runs: a
 * presence-only node still stores inbox partitions, so all members must agree on the config.
 */
public final class Maps {
  private Maps() {}

  /** userId -> the user's presence entry (presence-verticle's Hazelcast {@link Presence}). */
  public static final String PRESENCE = "courier.presence";
  /** memberId -> nodeId with a TTL: members that keep presence data renew it. */
  public static final String PRESENCE_LEASES = "courier.presence.leases";
  /**
   * Inboxes: recipient user id -> the whole inbox (epoch, retained messages, dedupe records), kept
   * as objects and changed in place by entry processors on the partition's thread.
   */
  public static final String INBOXES = "courier.inboxes";

  /** Room members: room id -> the set of member user ids. The authority on who is a member. */
  public static final String ROOM_MEMBERS = "courier.room.members";
  /** The rooms of each user: user id -> set of room ids (kept with ROOM_MEMBERS for caps and admin reads). */
  public static final String USER_ROOMS = "courier.room.user";
  /**
   * Token revocations: key {@code u:<user>} or {@code j:<jti>}, value the revocation time (epoch ms),
   * each entry with a TTL of the longest token lifetime (see the connection verticle's Revocations).
   */
  public static final String REVOCATIONS = "courier.revocations";
  /** Per-user send buckets of the cluster-wide send rate limit: userId -> {@code SendBucket} (connection-verticle). */
  public static final String USER_SEND_BUCKETS = "courier.rate.user.sends";

  /** Member attribute carrying Courier's node id, so a removed member maps to its presence entries. */
  public static final String NODE_ID_ATTRIBUTE = "courier.nodeId";
}
