package io.courier.client;

import io.courier.protocol.FrameTypes;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Client -> server frames and the wire field names the client reads. Frame types come from
 * {@link FrameTypes}; field names are those of docs/protocol.md (protocol v1).
 */
final class ClientFrames {
  private ClientFrames() {}

  static final String TYPE = "type";
  static final String ID = "id";
  static final String TO = "to";
  static final String ROOM = "room";
  static final String BODY = "body";
  static final String REF = "ref";
  static final String SEQ = "seq";
  static final String AFTER = "after";
  static final String EPOCH = "epoch";
  static final String LAST_ID = "lastId";
  static final String LAST_TS = "lastTs";
  static final String TOKEN = "token";
  static final String USERS = "users";
  // server -> client fields
  static final String FROM = "from";
  static final String TS = "ts";
  static final String DUP = "dup";
  static final String CODE = "code";
  static final String MESSAGE = "message";
  static final String UP_TO = "upTo";
  static final String TRUNCATED = "truncated";
  static final String FIRST_AVAILABLE = "firstAvailable";
  static final String RESET = "reset";
  static final String AFTER_MS = "afterMs";
  static final String REASON = "reason";
  static final String SESSION_ID = "sessionId";
  static final String USER_ID = "userId";
  static final String NODE_ID = "nodeId";
  static final String LAST_SEQ = "lastSeq";
  static final String HEARTBEAT_MS = "heartbeatMs";
  static final String EXPIRES_AT = "expiresAt";

  static final String PING_FRAME = new JsonObject().put(TYPE, FrameTypes.PING).encode();

  /**
   * A {@code send} frame. {@code bodyJson} must be valid JSON (the caller checked); it is inserted
   * as-is, so the body's bytes are exactly the application's.
   */
  static String send(String id, String to, String room, String bodyJson) {
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

  static String ack(long seq) {
    return new JsonObject().put(TYPE, FrameTypes.ACK).put(SEQ, seq).encode();
  }

  static String sync(long after, String epoch, String ref) {
    return sync(after, epoch, null, 0, ref);
  }

  /**
   * A {@code sync}. With {@code after > 0} and the id of the message at {@code after} known, it
   * carries that id and ts as proof of the client's position ({@code lastId}, {@code lastTs}; a ts
   * of 0 is unknown and left out), so the server can tell an inbox that rolled back.
   */
  static String sync(long after, String epoch, String lastId, long lastTs, String ref) {
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
    return o.put(REF, ref).encode();
  }

  static JsonObject room(String type, String room) {
    return new JsonObject().put(TYPE, type).put(ROOM, room);
  }

  static JsonObject users(String type, List<String> users) {
    return new JsonObject().put(TYPE, type).put(USERS, new JsonArray(List.copyOf(users)));
  }

  static String refresh(String token, String ref) {
    return new JsonObject().put(TYPE, FrameTypes.REFRESH).put(TOKEN, token).put(REF, ref).encode();
  }
}
