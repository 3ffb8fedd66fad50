package io.courier.protocol;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Builders of client -> server frames and the wire field names a client reads (protocol v1): the
 * one writer of these frames for the Java client and the load generator, read back by
 * {@link FrameParser} in its test. Frame types come from {@link FrameTypes}; field names are those
 * of docs/protocol.md.
 */
public final class ClientFrames {
  private ClientFrames() {}

  public static final String TYPE = "type";
  public static final String ID = "id";
  public static final String TO = "to";
  public static final String ROOM = "room";
  public static final String BODY = "body";
  public static final String REF = "ref";
  public static final String SEQ = "seq";
  public static final String AFTER = "after";
  public static final String EPOCH = "epoch";
  public static final String LAST_ID = "lastId";
  public static final String LAST_TS = "lastTs";
  public static final String TOKEN = "token";
  public static final String USERS = "users";
  // server -> client fields
  public static final String FROM = "from";
  public static final String TS = "ts";
  public static final String DUP = "dup";
  public static final String CODE = "code";
  public static final String MESSAGE = "message";
  public static final String UP_TO = "upTo";
  public static final String TRUNCATED = "truncated";
  public static final String FIRST_AVAILABLE = "firstAvailable";
  public static final String RESET = "reset";
  public static final String AFTER_MS = "afterMs";
  public static final String REASON = "reason";
  public static final String SESSION_ID = "sessionId";
  public static final String USER_ID = "userId";
  public static final String NODE_ID = "nodeId";
  public static final String LAST_SEQ = "lastSeq";
  public static final String HEARTBEAT_MS = "heartbeatMs";
  public static final String EXPIRES_AT = "expiresAt";

  public static final String PING_FRAME = new JsonObject().put(TYPE, FrameTypes.PING).encode();

  /**
   * A {@code send} frame. {@code bodyJson} must be valid JSON (the caller checked); it is inserted
   * as-is, so the body's bytes are exactly the application's.
   */
  public static String send(String id, String to, String room, String bodyJson) {
    StringBuilder b = new StringBuilder(64 + bodyJson.length());
    b.append("{\"").append(TYPE).append("\":").append(Json.encode(FrameTypes.SEND))
        .append(",\"").append(ID).append("\":").append(Json.encode(id));
    if (room != null) {
      b.append(",\"").append(ROOM).append("\":").append(Json.encode(room));
    } else {
      b.append(",\"").append(TO).append("\":").append(Json.encode(to));
    }
    b.append(",\"").append(BODY).append("\":").append(bodyJson).append('}');
    return b.toString();
  }

  public static String ack(long seq) {
    return new JsonObject().put(TYPE, FrameTypes.ACK).put(SEQ, seq).encode();
  }

  /** A {@code sync} without proof of position; a null {@code ref} (or epoch) is left out. */
  public static String sync(long after, String epoch, String ref) {
    return sync(after, epoch, null, 0, ref);
  }

  /**
   * A {@code sync}. With {@code after > 0} and the id of the message at {@code after} known, it
   * carries that id and ts as proof of the client's position ({@code lastId}, {@code lastTs}; a ts
   * of 0 is unknown and left out), so the server can tell an inbox that rolled back. A null
   * {@code ref} is left out.
   */
  public static String sync(long after, String epoch, String lastId, long lastTs, String ref) {
    JsonObject o = new JsonObject().put(TYPE, FrameTypes.SYNC).put(AFTER, after);
    if (epoch != null) {
      o.put(EPOCH, epoch);
    }
    if (after > 0 && lastId != null) {
      o.put(LAST_ID, lastId);
      if (lastTs > 0) {
        o.put(LAST_TS, lastTs);
      }
    }
    if (ref != null) {
      o.put(REF, ref);
    }
    return o.encode();
  }

  public static JsonObject room(String type, String room) {
    return new JsonObject().put(TYPE, type).put(ROOM, room);
  }

  public static JsonObject users(String type, List<String> users) {
    return new JsonObject().put(TYPE, type).put(USERS, new JsonArray(List.copyOf(users)));
  }

  public static String refresh(String token, String ref) {
    return new JsonObject().put(TYPE, FrameTypes.REFRESH).put(TOKEN, token).put(REF, ref).encode();
  }
}
