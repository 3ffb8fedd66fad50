package io.courier.delivery.store.hazelcast;

import io.courier.protocol.InboxMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * A message as kept in the message map: a plain byte[] (Hazelcast stores it without type
 * metadata), without the seq, epoch and recipient, which are in the key. The body is kept as its
 * exact UTF-8 text.
 */
public record StoredMessage(String id, String from, String to, String room, String bodyJson, long ts) {

  public static StoredMessage of(InboxMessage m) {
    return new StoredMessage(m.id(), m.from(), m.to(), m.room(), m.bodyJson(), m.ts());
  }

  public InboxMessage toInbox(long seq, String epoch) {
    return new InboxMessage(seq, epoch, id, from, to, room, bodyJson, ts);
  }

  /** Same sender and id: the same send, whatever its ts (a resend may carry a later one). */
  public boolean sameSend(StoredMessage other) {
    return other != null && id.equals(other.id) && from.equals(other.from);
  }

  public byte[] encode() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + bodyJson.length());
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeLong(ts);
      out.writeBoolean(room != null);
      writeText(out, room != null ? room : to);
      writeText(out, id);
      writeText(out, from);
      writeText(out, bodyJson);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  public static StoredMessage decode(byte[] data) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
      long ts = in.readLong();
      boolean isRoom = in.readBoolean();
      String target = readText(in);
      return new StoredMessage(readText(in), readText(in), isRoom ? null : target, isRoom ? target : null,
          readText(in), ts);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The ts alone, without decoding the texts: retention checks look at every probed message. */
  public static long tsOf(byte[] data) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (data[i] & 0xff);
    }
    return v;
  }

  /** The body's UTF-8 bytes, read from the lengths alone (the body is the last field): O(1). */
  public static int bodyBytesOf(byte[] data) {
    int at = 9; // ts, room flag
    for (int field = 0; field < 3; field++) { // target, id, from
      at += 4 + intAt(data, at);
    }
    return intAt(data, at);
  }

  private static int intAt(byte[] data, int at) {
    return ((data[at] & 0xff) << 24) | ((data[at + 1] & 0xff) << 16) | ((data[at + 2] & 0xff) << 8) | (data[at + 3] & 0xff);
  }

  // writeUTF caps at 64 KiB of modified UTF-8; bodies may come close, so lengths are ints.
  private static void writeText(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  private static String readText(DataInputStream in) throws IOException {
    byte[] b = new byte[in.readInt()];
    in.readFully(b);
    return new String(b, StandardCharsets.UTF_8);
  }
}
