package io.courier.protocol.bus;

import io.courier.protocol.Addresses;
import io.courier.protocol.Bus;
import io.vertx.core.json.JsonObject;

/** {@link Addresses#DELIVERY_SEND}: store a send in an inbox (or a room's) and fan it out. */
public final class DeliverySend {
  private DeliverySend() {}

  /**
   * {@code {v, from, id, body, ts?, to|room}}: exactly one of {@code to} and {@code room}; the body
   * as JSON text, inserted as-is into every frame; {@code ts} (ms) when the gateway accepted it,
   * without which delivery stamps it. Decoded as found (null where missing): delivery says what is
   * lacking.
   */
  public record Request(String from, String id, String to, String room, String bodyJson, Long ts) {
    public JsonObject toJson() {
      JsonObject o = Bus.doc().put(Bus.FROM, from).put(Bus.ID, id).put(Bus.BODY, bodyJson);
      if (ts != null) {
        o.put(Bus.TS, ts);
      }
      if (room != null) {
        o.put(Bus.ROOM, room);
      } else {
        o.put(Bus.TO, to);
      }
      return o;
    }

    public static Request fromJson(JsonObject o) {
      return new Request(o.getString(Bus.FROM), o.getString(Bus.ID), o.getString(Bus.TO), o.getString(Bus.ROOM),
          o.getString(Bus.BODY), o.getLong(Bus.TS));
    }
  }

  /**
   * {@code {v, ts, dup, seq?, epoch?}}: the message's ts and whether it was stored before (a resend
   * of the same id); seq and epoch of the sender's copy (for a room send) or the recipient's.
   * A reply without seq reads as 0.
   */
  public record Reply(long ts, boolean dup, long seq, String epoch) {
    public JsonObject toJson() {
      return Bus.doc().put(Bus.TS, ts).put(Bus.DUP, dup).put(Bus.SEQ, seq).put(Bus.EPOCH, epoch);
    }

    public static Reply fromJson(JsonObject o) {
      return new Reply(o.getLong(Bus.TS), o.getBoolean(Bus.DUP, false), o.getLong(Bus.SEQ, 0L), o.getString(Bus.EPOCH));
    }
  }
}
