package io.courier.protocol;


/**
 * A {@code msg} wire frame as text, with the seq, id and ts it carries kept beside the text so a
 * connection never reads them back out of it. The one builder of the {@code msg} frame: the direct
 * push (delivery), the room push (the node inbox) and sync replay all go through here, so every
 * path writes the same bytes. The text is built by hand so the body bytes are copied, not re-encoded.
 */
public record MsgFrame(long seq, String id, long ts, String text) {

  /** The frame of a stored message. */
  public static MsgFrame of(InboxMessage m) {
    return new MsgFrame(m.seq(), m.id(), m.ts(), text(m));
  }

  /** The frame text of a stored message. */
  public static String text(InboxMessage m) {
    return text(m.seq(), m.epoch(), tail(m.id(), m.from(), m.to(), m.room(), m.bodyJson(), m.ts()));
  }

  /**
   * The part of the frame after {@code seq} and {@code epoch}. It is the same for every member's
   * copy of a room message, so a room fan-out builds it once and each copy's frame is a short
   * prefix plus this text. Exactly one of {@code to} and {@code room} is non-null.
   */
  public static String tail(String id, String from, String to, String room, String bodyJson, long ts) {
    StringBuilder b = new StringBuilder(64 + bodyJson.length());
    JsonText.quote(b.append(",\"id\":"), id);
    JsonText.quote(b.append(",\"from\":"), from);
    if (room != null) {
      JsonText.quote(b.append(",\"room\":"), room);
    } else {
      JsonText.quote(b.append(",\"to\":"), to);
    }
    b.append(",\"body\":").append(bodyJson).append(",\"ts\":").append(ts).append('}');
    return b.toString();
  }

  /** One copy's frame from its seq and epoch and a {@link #tail} built with {@code id} and {@code ts}. */
  public static MsgFrame of(long seq, String epoch, String id, long ts, String tail) {
    return new MsgFrame(seq, id, ts, text(seq, epoch, tail));
  }

  private static String text(long seq, String epoch, String tail) {
    StringBuilder b = new StringBuilder(40 + (epoch == null ? 4 : epoch.length()) + tail.length())
        .append("{\"type\":\"msg\",\"seq\":").append(seq).append(",\"epoch\":");
    return JsonText.quote(b, epoch).append(tail).toString();
  }
}
