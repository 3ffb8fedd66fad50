package io.courier.protocol;

import io.vertx.core.json.JsonObject;

/**
 * One message in a recipient's inbox, as stored and as pushed. {@code bodyJson} is the body as
 * JSON text: it is encoded once when accepted and inserted as-is into every frame, never re-parsed.
 * Exactly one of {@code to} and {@code room} is non-null.
 */
public record InboxMessage(long seq, String epoch, String id, String from, String to, String room,
                           String bodyJson, long ts) {

  /** The {@code msg} wire frame ({@link MsgFrame} builds it). */
  public String toFrameText() {
    return MsgFrame.text(this);
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
