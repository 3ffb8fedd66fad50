package io.courier.protocol;

import io.vertx.core.json.JsonObject;

/**
 * Field names and the version of the JSON documents that travel between verticles; each document's
 * shape is a record in {@link io.courier.protocol.bus} with the one mapper both ends use. A verticle
 * refuses a document whose {@link #V} is newer than it understands with {@link BusFailures#INVALID}
 * (a push it cannot read is dropped), so verticles can be redeployed one at a time: additions keep
 * the version, changes bump it.
 */
public final class Bus {
  private Bus() {}

  public static final String V = "v";
  public static final int VERSION = 1;

  /** A new document of this version, {@code {v}}, to which a mapper adds its fields. */
  public static JsonObject doc() {
    return new JsonObject().put(V, VERSION);
  }

  /** Whether this side can read the document: it has an integer {@link #V} no newer than {@link #VERSION}. */
  public static boolean readable(JsonObject doc) {
    return doc != null && doc.getValue(V) instanceof Integer v && v <= VERSION;
  }

  // delivery send (bus.DeliverySend)
  public static final String FROM = "from";
  public static final String ID = "id";
  public static final String TO = "to";
  public static final String ROOM = "room";
  public static final String BODY = "body";
  public static final String TS = "ts";
  public static final String DUP = "dup";
  public static final String SEQ = "seq";
  public static final String EPOCH = "epoch";

  // delivery read (bus.DeliveryRead)
  public static final String USER = "user";
  public static final String AFTER = "after";
  public static final String LIMIT = "limit";
  public static final String LAST_SEQ = "lastSeq";
  public static final String FIRST_AVAILABLE = "firstAvailable";
  public static final String MESSAGES = "messages";

  // store checks (bus.StoreChecks)
  public static final String STORE = "store";
  public static final String WARNINGS = "warnings";

  // node pushes (bus.NodePush, bus.RoomPush)
  public static final String FRAME = "frame";
  public static final String SENT_AT = "sentAt";
  public static final String RECIPIENTS = "recipients";

  // rooms (bus.Rooms)
  public static final String ADDED = "added";
  public static final String REMOVED = "removed";
  public static final String COUNT = "count";
  public static final String MEMBERS = "members";
  public static final String ROOMS = "rooms";

  // revocations (bus.RevocationNotice)
  public static final String JTI = "jti";
  public static final String AT = "at";

  // presence query and changes (bus.PresenceQuery, bus.PresenceChanges, bus.UserPresence)
  public static final String USERS = "users";
  public static final String CHANGES = "changes";
  public static final String ONLINE = "online";
  public static final String DEVICES = "devices";
  public static final String SINCE = "since";
  public static final String REV = "rev";
}
