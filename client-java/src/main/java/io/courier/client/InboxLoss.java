package io.courier.client;

/**
 * Inbox messages the client can no longer get. Delivery continues after the loss.
 *
 * @param reason what happened
 * @param epoch the epoch the lost messages belonged to
 * @param fromSeq first lost seq; for {@link Reason#EPOCH_RESET} and {@link Reason#ROLLBACK} the
 *     first seq after the last one delivered
 * @param toSeq last lost seq, or -1 when unknown ({@link Reason#EPOCH_RESET}, {@link Reason#ROLLBACK})
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
    EPOCH_RESET,
    /**
     * The server's inbox went back to an older state in the same epoch (a store restored from a
     * backup or snapshot, a failover to a replica that missed writes): seqs the client had already
     * seen are handed out again for other messages. Messages stored after the rollback point that
     * the client had not received (anything after {@code fromSeq - 1}) are gone; {@code toSeq} is -1
     * and {@code newEpoch} null. Every message the store still holds is delivered unless a message
     * with the same {@code from} and {@code id} was delivered recently (the last
     * {@link CourierClientOptions#setMaxRecentKeys maxRecentKeys}), so the new ones arrive and the
     * ones delivered before the rollback do not repeat; seq order is kept again after that.
     */
    ROLLBACK
  }
}
