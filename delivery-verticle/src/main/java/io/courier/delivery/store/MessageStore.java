package io.courier.delivery.store;

import io.courier.protocol.InboxMessage;
import io.vertx.core.Future;

/**
 * Per-recipient inboxes. The store is where sequence numbers are born: {@link #append} assigns the
 * next seq of the recipient's inbox, stores the message and records (sender, id) for dedupe, as
 * one atomic step, so seqs are gapless and unique however many delivery instances append at once.
 *
 * <p>Failures: a future failed with {@link StoreUnavailableException} means nothing was stored
 * (the caller answers {@code error unavailable} and the client resends with the same id).
 */
public interface MessageStore {

  /**
   * Appends to {@code recipient}'s inbox unless this inbox already holds (from, id) within the
   * dedupe window, in which case nothing is written and the original seq/ts come back with dup=true.
   *
   * @param draft the message; its seq and epoch are ignored (the store assigns them), ts is the
   *              server's accept time
   */
  Future<AppendResult> append(String recipient, InboxMessage draft);

  /**
   * Reads up to {@code limit} messages with seq > {@code after}, in seq order, plus the inbox head.
   * {@code limit} 0 reads only the head. An inbox never written to has lastSeq 0 and a fresh epoch
   * (created and kept on first read, so the epoch a client sees in welcome stays valid).
   */
  Future<ReadResult> read(String recipient, long after, int limit);

  /** Releases connections/resources. */
  Future<Void> close();
}
