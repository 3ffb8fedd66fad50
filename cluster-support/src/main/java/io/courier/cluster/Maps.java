package io.courier.cluster;

/**
 * Names of Courier's Hazelcast data structures. Their configuration lives in {@link ClusterSetup}
 * because every member may own partitions of every map, whatever verticles it runs: a
 * presence-only node still stores inbox partitions, so all members must agree on the config.
 */
public final class Maps {
  private Maps() {}

  /** userId -> {@link PresenceEntry}. */
  public static final String PRESENCE = "courier.presence";
  /** Inbox heads: key {@code h@<user>}; per-inbox epoch, last seq, first retained seq. */
  public static final String INBOX_HEAD = "courier.inbox.head";
  /** Inbox messages: key {@code <epoch>:<seq>@<user>}. */
  public static final String INBOX_MSG = "courier.inbox.msg";
  /** Send dedupe records: key {@code <encoded sender+id>@<recipient>}, with a TTL. */
  public static final String INBOX_DEDUPE = "courier.inbox.dedupe";

  /**
   * Token revocations: key {@code u:<user>} or {@code j:<jti>}, value the revocation time (epoch ms),
   * each entry with a TTL of the longest token lifetime (see the connection verticle's Revocations).
   */
  public static final String REVOCATIONS = "courier.revocations";

  /** Member attribute carrying Courier's node id, so a removed member maps to its presence entries. */
  public static final String NODE_ID_ATTRIBUTE = "courier.nodeId";
}
