package io.courier.delivery.store.hazelcast;

import io.courier.delivery.store.SenderIds;

/**
 * Keys of one inbox in the three inbox maps. Every key ends in {@code @<user>}, and the maps'
 * StringPartitioningStrategy partitions by the text after the FIRST '@', so all of an inbox lives
 * in one partition (and on the same replicas). User ids may contain '@'; the parts before the
 * separator never do (an epoch and a seq, a literal "h", or {@link SenderIds} base64).
 */
public final class InboxKeys {
  private InboxKeys() {}

  public static String head(String user) {
    return "h@" + user;
  }

  public static String message(String epoch, long seq, String user) {
    return epoch + ":" + seq + "@" + user;
  }

  public static String dedupe(String from, String id, String user) {
    return SenderIds.encode(from, id) + "@" + user;
  }
}
