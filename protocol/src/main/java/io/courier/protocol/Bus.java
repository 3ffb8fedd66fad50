package io.courier.protocol;

/**
 * Field names and the version of the JSON documents that travel between verticles. A verticle
 * refuses a document whose {@link #V} is newer than it understands with {@link BusFailures#INVALID},
 * so verticles can be redeployed one at a time: additions keep the version, changes bump it.
 */
public final class Bus {
  private Bus() {}

  public static final String V = "v";
  public static final int VERSION = 1;

  // DELIVERY_SEND request: {v, from, id, to|room, body, ts?}; reply: {v, ts, dup, seq?, epoch?}
  public static final String FROM = "from";
  public static final String ID = "id";
  public static final String TO = "to";
  public static final String ROOM = "room";
  public static final String BODY = "body";
  public static final String TS = "ts";
  public static final String DUP = "dup";
  public static final String SEQ = "seq";
  public static final String EPOCH = "epoch";

  // DELIVERY_READ request: {v, user, after, limit}; reply: {v, epoch, lastSeq, firstAvailable, messages[]}
  public static final String USER = "user";
  public static final String AFTER = "after";
  public static final String LIMIT = "limit";
  public static final String LAST_SEQ = "lastSeq";
  public static final String FIRST_AVAILABLE = "firstAvailable";
  public static final String MESSAGES = "messages";

  // STORE_CHECKS request: {v}; reply: {v, store, warnings[]}
  public static final String STORE = "store";
  public static final String WARNINGS = "warnings";

  // node push: {v, to, seq, epoch, id?, ts?, frame: <the msg wire frame as text, encoded once>, sentAt?}
  // (id and ts are the frame's own, carried beside it; a sender that predates them leaves them out)
  public static final String FRAME = "frame";
  /** Optional in a node push: when the delivery verticle sent it (ms), for the routing-latency metric. */
  public static final String SENT_AT = "sentAt";

  /**
   * Node push of a room message (one per node, many recipients): {v, room, id, from, body, ts,
   * recipients: [{to, seq, epoch}], sentAt?}. The body is JSON text, carried once; the node builds
   * each recipient's msg frame from it. A node that predates it drops it (no {@link #TO}): the
   * message is stored, and gap fill or sync brings it.
   */
  public static final String RECIPIENTS = "recipients";

  // ROOM_JOIN / ROOM_LEAVE request: {v, room, user}; replies {v, room, added} / {v, room, removed}
  public static final String ADDED = "added";
  public static final String REMOVED = "removed";
  // ROOM_MEMBERS reply: {v, room, count, members[]}; ROOM_USER_ROOMS reply: {v, user, count, rooms[]};
  // ROOM_STATS reply: {v, rooms}; ROOM_DELETE reply: {v, room, removed}
  public static final String COUNT = "count";
  public static final String MEMBERS = "members";
  public static final String ROOMS = "rooms";
  // REVOCATIONS publish: {v, user | jti, at} (at: epoch ms; for a user, tokens issued at or before it)
  public static final String JTI = "jti";
  public static final String AT = "at";

  // PRESENCE_QUERY request: {v, users[]}; reply: {v, users: {id: {online, devices, since?}}}
  public static final String USERS = "users";

  // presence change to a node: {v, changes: [{user, online, devices, since?, rev}], sentAt}
  public static final String CHANGES = "changes";
  public static final String ONLINE = "online";
  public static final String DEVICES = "devices";
  public static final String SINCE = "since";
  /** Per user, grows at every online/offline transition: a receiver drops a change older than one it has. */
  public static final String REV = "rev";
}
