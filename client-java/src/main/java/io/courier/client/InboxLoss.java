package io.courier.client;

/**
 * Inbox messages the client can no longer get. Delivery continues after the loss.
 *
 * @param reason what happened
 * @param epoch the epoch the lost messages belonged to
 * @param fromSeq first lost seq; for {@link Reason#EPOCH_RESET} the first seq after the last one delivered
 * @param toSeq last lost seq, or -1 when unknown ({@link Reason#EPOCH_RESET})
 * @param newEpoch for {@link Reason#EPOCH_RESET}, the epoch delivery continues in; else null
 */
public record InboxLoss(Reason reason, String epoch, long fromSeq, long toSeq, String newEpoch) {
  public enum Reason {
    /** Retention dropped messages the client had not received ({@code synced.truncated}). */
    TRUNCATED,
    /**
     * The server's inbox was reset or lost (a new epoch): anything after {@code fromSeq - 1} in the
     * old epoch that the client had not received is gone; the new epoch is delivered from seq 1.
     */
    EPOCH_RESET
  }
}
