package io.courier.delivery.store.redis;

import io.courier.delivery.store.SenderIds;

/**
 * Keys of one inbox. All carry the user as hash tag {@code {...}}, so they land in one Redis Cluster
 * slot and a script may touch them together. Inside the tag the user is escaped ('%' and '}'
 * percent-encoded): the tag cannot end early, and distinct users never share a tag.
 */
public final class RedisKeys {
  private RedisKeys() {}

  public static String tag(String user) {
    return user.replace("%", "%25").replace("}", "%7D");
  }

  /**
   * Hash: epoch, seq (the last seq assigned), bytes (body bytes of the stream's entries), o and ok
   * (the first entry's ts, and the epoch:seq it is known for; see {@link InboxScripts}).
   */
  public static String meta(String user) {
    return prefix(user) + "meta";
  }

  /** Stream of messages, entry ids {@code <seq>-0}. */
  public static String inbox(String user) {
    return prefix(user) + "inbox";
  }

  /** String "epoch seq ts" with a TTL of the dedupe window. */
  public static String dedupe(String user, String from, String id) {
    return prefix(user) + "dd:" + SenderIds.encode(from, id);
  }

  /** Set of the user's room ids (the index of {@link #roomMembers}); in the user's slot. */
  public static String userRooms(String user) {
    return prefix(user) + "rooms";
  }

  /** Set of a room's member user ids, tagged by the room (escaped like a user). */
  public static String roomMembers(String room) {
    return "courier:room:{" + tag(room) + "}:members";
  }

  /** Set of the ids of rooms that have members, for the room count. */
  public static final String ROOMS = "courier:rooms";

  private static String prefix(String user) {
    return "courier:{" + tag(user) + "}:";
  }
}
