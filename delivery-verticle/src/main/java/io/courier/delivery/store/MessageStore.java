package io.courier.delivery.store;

import io.courier.protocol.InboxMessage;
import io.vertx.core.Future;

/**
 * Per-recipient inboxes. The store is where sequence numbers are born: {@link #append} assigns the
 * next seq of the recipient's inbox, stores the message and records (sender, id) for dedupe, as
 * one atomic step, so seqs are gapless and unique however many delivery instances (in however many
 * processes) append at once.
 *
 * <p>Epochs: every inbox generation has an opaque short random epoch. If an inbox's head is lost
 * (store data lost), the next read or append creates a new epoch and seqs restart at 1; seqs are
 * never reused within an epoch, and nothing of an older epoch is returned under a newer one.
 *
 * <p>Retention: at most {@code COURIER_RETENTION_MAX_MESSAGES} per inbox (the oldest are dropped,
 * exactly) and nothing older than {@code COURIER_RETENTION_MAX_AGE_MS} by its ts. 0 or less turns a
 * limit off, as it turns dedupe off for {@code COURIER_DEDUPE_WINDOW_MS}.
 *
 * <p>Failures: a future failed with {@link StoreUnavailableException} means the store could not
 * promise anything (it was unreachable, or did not answer within half of
 * {@code COURIER_BUS_TIMEOUT_MS}); the caller answers {@code error unavailable} and the client
 * resends with the same id, which dedupe makes safe even if the append did take effect. Arguments no
 * store could accept fail with {@link IllegalArgumentException}. Futures complete on the caller's
 * Vert.x context; no method blocks.
 */
public interface MessageStore {

  /**
   * Appends to {@code recipient}'s inbox unless this inbox already holds (from, id) within the
   * dedupe window, in which case nothing is written and the original seq, epoch and ts come back
   * with dup=true.
   *
   * <p>The dedupe record lives with the RECIPIENT's inbox (so the check is part of the atomic
   * append), which makes dedupe per (recipient, sender, id). Ids are unique per sender by contract,
   * so a direct message is deduplicated exactly; for a room message written to every member's inbox,
   * a fan-out that failed halfway can be repeated as a whole: members that already have the message
   * answer dup, the others get it once.
   *
   * @param draft the message; its seq and epoch are ignored (the store assigns them), ts is the
   *              server's accept time and is what age retention goes by. Needs id, from, bodyJson
   *              and exactly one of to/room.
   */
  Future<AppendResult> append(String recipient, InboxMessage draft);

  /**
   * Appends the same draft to each of {@code recipients}' inboxes, exactly as {@link #append} would
   * one by one (each inbox assigns its own seq and dedupes on (from, id) by itself), but in batches:
   * one body encoding and as few round trips as the store allows. This is a room fan-out's write.
   *
   * <p>Not atomic across inboxes: the result says, per recipient, whether its copy is stored.
   * Failures are reported per recipient, never as a failed future (that is kept for arguments no
   * store could accept, as {@link IllegalArgumentException}). Repeating the call for the same draft
   * after a partial failure stores each missing copy once and answers dup for the others.
   *
   * @param recipients distinct user ids; the caller bounds how many go in one call
   */
  Future<BatchAppendResult> appendAll(java.util.List<String> recipients, InboxMessage draft);

  /**
   * Reads up to {@code limit} messages with seq > {@code after}, in seq order, plus the inbox head:
   * epoch, lastSeq, and firstAvailable (the lowest seq still retained, lastSeq + 1 if none). An
   * {@code after} at or past lastSeq reads nothing. {@code limit} 0 reads only the head. An inbox
   * never written to has lastSeq 0 and a fresh epoch, created and kept on this first read so the
   * epoch a client sees in welcome stays valid. A page may hold fewer than {@code limit} messages
   * although more exist (expired ones are skipped); page on from the last seq returned until lastSeq.
   */
  Future<ReadResult> read(String recipient, long after, int limit);

  /**
   * Warnings about how the backing store is configured (for example durability settings that can
   * lose acknowledged messages): logged by the caller at start, and shown in the gateway's readiness
   * detail (asked again each time). Never fails.
   */
  default Future<java.util.List<String>> configurationWarnings() {
    return Future.succeededFuture(java.util.List.of());
  }

  /**
   * Completes once the store knows it can be used as configured; fails (with a message naming the
   * setting) on a configuration error that waiting will not cure, such as refused credentials.
   */
  default Future<Void> started() {
    return Future.succeededFuture();
  }

  /** Releases connections/resources. */
  Future<Void> close();
}
