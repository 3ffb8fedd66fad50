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
    StringBuilder b = new StringBuilder(96 + bodyJson.length());
    b.append("{\"type\":\"msg\",\"seq\":").append(seq)
        .append(",\"epoch\":").append(Json.encode(epoch))
        .append(",\"id\":").append(Json.encode(id))
        .append(",\"from\":").append(Json.encode(from));
    if (room != null) {
      b.append(",\"room\":").append(Json.encode(room));
    } else {
      b.append(",\"to\":").append(Json.encode(to));
    }
    b.append(",\"body\":").append(bodyJson).append(",\"ts\":").append(ts).append('}');
    return b.toString();
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
