package io.courier.protocol.bus;

import io.courier.protocol.Addresses;
import io.courier.protocol.Bus;
import io.courier.protocol.MsgFrame;
import io.vertx.core.json.JsonObject;

/**
 * A direct message pushed to a node holding a connection of its recipient ({@link Addresses#node}):
 * {@code {v, to, seq, epoch, id?, ts?, frame, sentAt?}}. {@code frame} is the {@code msg} wire frame
 * as text ({@link MsgFrame}), encoded once by delivery and written as-is to every connection of
 * {@code to} on that node; the record holds that same string, never a copy. {@code id} and
 * {@code ts} are the frame's own, carried beside it so no connection scans them out of the text; a
 * sender that predates them leaves them out (null here). {@code sentAt} (ms) is when delivery sent
 * it, for the routing-latency metric. One push per node, not per connection; fire and forget.
 */
public record NodePush(String to, long seq, String epoch, String id, Long ts, String frame, Long sentAt) {

  public JsonObject toJson() {
    JsonObject o = Bus.doc().put(Bus.TO, to).put(Bus.SEQ, seq).put(Bus.EPOCH, epoch);
    if (id != null) {
      o.put(Bus.ID, id);
    }
    if (ts != null) {
      o.put(Bus.TS, ts);
    }
    o.put(Bus.FRAME, frame);
    if (sentAt != null) {
      o.put(Bus.SENT_AT, sentAt);
    }
    return o;
  }

  /** The push, or null when it lacks to, seq, epoch or frame (dropped: the message is stored). */
  public static NodePush fromJson(JsonObject o) {
    if (!(o.getValue(Bus.SEQ) instanceof Number seq)) {
      return null;
    }
    String to = o.getString(Bus.TO);
    String epoch = o.getString(Bus.EPOCH);
    String frame = o.getString(Bus.FRAME);
    if (to == null || epoch == null || frame == null) {
      return null;
    }
    return new NodePush(to, seq.longValue(), epoch, o.getValue(Bus.ID) instanceof String id ? id : null,
        Numbers.boxed(o.getValue(Bus.TS)), frame, Numbers.boxed(o.getValue(Bus.SENT_AT)));
  }
}
