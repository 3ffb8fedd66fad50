package io.courier.protocol;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

/**
 * One message in a recipient's inbox, as stored and as pushed. {@code bodyJson} is the body as
 * JSON text: it is encoded once when accepted and inserted as-is into every frame, never re-parsed.
 * Exactly one of {@code to} and {@code room} is non-null.
 */
public record InboxMessage(long seq, String epoch, String id, String from, String to, String room,
                           String bodyJson, long ts) {

  /** The {@code msg} wire frame, built by hand so the body bytes are copied, not re-encoded. */
  public String toFrameText() {
    return frameText(seq, epoch, frameTail());
  }

  /**
   * The part of the {@code msg} frame after {@code seq} and {@code epoch}. It is the same for every
   * member's copy of a room message, so a room fan-out builds it once and each copy's frame is a
   * short prefix plus this text.
   */
  public String frameTail() {
    StringBuilder b = new StringBuilder(64 + bodyJson.length());
    b.append(",\"id\":").append(Json.encode(id)).append(",\"from\":").append(Json.encode(from));
    if (room != null) {
      b.append(",\"room\":").append(Json.encode(room));
    } else {
      b.append(",\"to\":").append(Json.encode(to));
    }
    b.append(",\"body\":").append(bodyJson).append(",\"ts\":").append(ts).append('}');
    return b.toString();
  }

  /** A {@code msg} frame from its seq, epoch and {@link #frameTail()}. */
  public static String frameText(long seq, String epoch, String tail) {
    String e = Json.encode(epoch);
    return new StringBuilder(32 + e.length() + tail.length())
        .append("{\"type\":\"msg\",\"seq\":").append(seq).append(",\"epoch\":").append(e).append(tail).toString();
  }

  /** Event-bus form (v1): the wire fields with the body kept as text. */
  public JsonObject toBus() {
    JsonObject o = new JsonObject()
        .put(Bus.SEQ, seq).put(Bus.EPOCH, epoch).put(Bus.ID, id).put(Bus.FROM, from)
        .put(Bus.BODY, bodyJson).put(Bus.TS, ts);
    if (room != null) {
      o.put(Bus.ROOM, room);
    } else {
      o.put(Bus.TO, to);
    }
    return o;
  }

  public static InboxMessage fromBus(JsonObject o) {
    return new InboxMessage(o.getLong(Bus.SEQ), o.getString(Bus.EPOCH), o.getString(Bus.ID),
        o.getString(Bus.FROM), o.getString(Bus.TO), o.getString(Bus.ROOM), o.getString(Bus.BODY),
        o.getLong(Bus.TS));
  }
}
