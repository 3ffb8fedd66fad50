package io.courier.protocol.bus;

import io.courier.protocol.Addresses;
import io.courier.protocol.Bus;
import io.courier.protocol.MsgFrame;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * A room message pushed to a node ({@link Addresses#node}), one per node for all its recipients
 * there: {@code {v, room, id, from, body, ts, recipients: [{to, seq, epoch}], sentAt?}}. The body is
 * JSON text, carried once; the node builds each recipient's {@code msg} frame from it
 * ({@link MsgFrame#tail}). A node that predates it drops it (it has no {@code to}): the message is
 * stored, and gap fill or sync brings it.
 */
public record RoomPush(String room, String id, String from, String bodyJson, long ts, List<Recipient> recipients,
                       Long sentAt) {

  /** One member's copy of the message: its own seq and epoch in its own inbox. */
  public record Recipient(String to, long seq, String epoch) {
    JsonObject toJson() {
      return new JsonObject().put(Bus.TO, to).put(Bus.SEQ, seq).put(Bus.EPOCH, epoch);
    }

    /** Null for an element that is not one (the others are still delivered). */
    static Recipient fromJson(Object element) {
      if (!(element instanceof JsonObject r) || !(r.getValue(Bus.SEQ) instanceof Number seq)) {
        return null;
      }
      String to = r.getString(Bus.TO);
      String epoch = r.getString(Bus.EPOCH);
      return to == null || epoch == null ? null : new Recipient(to, seq.longValue(), epoch);
    }
  }

  /** Whether a node push is a room push (it lists recipients) rather than a {@link NodePush}. */
  public static boolean matches(JsonObject o) {
    return o.getValue(Bus.RECIPIENTS) instanceof JsonArray;
  }

  public JsonObject toJson() {
    JsonArray list = new JsonArray(new ArrayList<>(recipients.size()));
    for (Recipient r : recipients) {
      list.add(r.toJson());
    }
    JsonObject o = Bus.doc().put(Bus.ROOM, room).put(Bus.ID, id).put(Bus.FROM, from).put(Bus.BODY, bodyJson)
        .put(Bus.TS, ts).put(Bus.RECIPIENTS, list);
    if (sentAt != null) {
      o.put(Bus.SENT_AT, sentAt);
    }
    return o;
  }

  /** The push, or null when it lacks room, id, from, body, ts or the recipients list. */
  public static RoomPush fromJson(JsonObject o) {
    if (!(o.getValue(Bus.RECIPIENTS) instanceof JsonArray list) || !(o.getValue(Bus.TS) instanceof Number ts)) {
      return null;
    }
    String room = o.getString(Bus.ROOM);
    String id = o.getString(Bus.ID);
    String from = o.getString(Bus.FROM);
    String body = o.getString(Bus.BODY);
    if (room == null || id == null || from == null || body == null) {
      return null;
    }
    List<Recipient> recipients = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      Recipient r = Recipient.fromJson(list.getValue(i));
      if (r != null) {
        recipients.add(r);
      }
    }
    return new RoomPush(room, id, from, body, ts.longValue(), recipients, Numbers.boxed(o.getValue(Bus.SENT_AT)));
  }
}
