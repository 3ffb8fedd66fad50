package io.courier.delivery.store.hazelcast;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * What a dedupe entry remembers about an accepted (sender, id): where the message went (epoch, seq),
 * its ts, and the token of the append call that stored it, so a call that Hazelcast retried
 * internally recognises its own earlier attempt instead of calling it a duplicate.
 */
public record DedupeRecord(String epoch, long seq, long ts, long attempt) {

  public byte[] encode() {
    byte[] e = epoch.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(24 + e.length).putLong(seq).putLong(ts).putLong(attempt).put(e).array();
  }

  public static DedupeRecord decode(byte[] data) {
    ByteBuffer b = ByteBuffer.wrap(data);
    long seq = b.getLong();
    long ts = b.getLong();
    long attempt = b.getLong();
    return new DedupeRecord(new String(data, 24, data.length - 24, StandardCharsets.UTF_8), seq, ts, attempt);
  }
}
