package io.courier.connection.inbox;

import io.courier.protocol.InboxMessage;
import io.courier.protocol.MsgFrame;
import java.util.List;

/**
 * Decides whether an inbox went back in the same epoch: the store holds less, or something else,
 * than a client was already given (a Redis restart from an older snapshot, a failover to a replica
 * that missed writes, a promoted Hazelcast backup that missed them). The store then hands out the
 * same seqs again for new messages, and a client tracking seqs would drop them as duplicates.
 * Plain functions, no Vert.x: the callers ({@link SyncReplay}, {@link LiveStream}) do the reads.
 */
final class RollbackCheck {
  private RollbackCheck() {}

  /**
   * A {@code sync} in the store's current epoch with {@code after > 0}: true when the client is
   * ahead of the store ({@code after > lastSeq}), or when it proved its position with
   * {@code lastId} (and maybe {@code lastTs}) and the store holds another message at {@code after}.
   * A message at {@code after} that retention dropped ({@code after < firstAvailable}) cannot be
   * checked: false then.
   *
   * @param atAfter the stored message at seq {@code after}, null when the store has none there
   */
  static boolean syncRolledBack(long after, String lastId, Long lastTs, long lastSeq, long firstAvailable,
                                InboxMessage atAfter) {
    if (after <= 0) {
      return false;
    }
    if (after > lastSeq) {
      return true;
    }
    if (lastId == null || after < firstAvailable) {
      return false;
    }
    // Seqs are contiguous from firstAvailable to lastSeq, so a missing message at after means
    // the store does not hold what the client holds.
    return atAfter == null || atAfter.seq() != after || !sameMessage(atAfter, lastId, lastTs);
  }

  /** The message of {@code page} at {@code seq}, or null. Pages are in seq order. */
  static InboxMessage messageAt(List<InboxMessage> page, long seq) {
    for (InboxMessage m : page) {
      if (m.seq() == seq) {
        return m;
      }
      if (m.seq() > seq) {
        return null;
      }
    }
    return null;
  }

  static boolean sameMessage(InboxMessage m, String id, Long ts) {
    return m.id().equals(id) && (ts == null || m.ts() == ts);
  }

  /**
   * Live path, after a store read in the connection's epoch: true when the store no longer holds
   * what the connection released up to {@code released}: its {@code lastSeq} is below it, or it
   * holds at {@code released} another message than the one released there ({@code releasedId}
   * and {@code releasedTs}, known only when that message went out on this connection; null: not
   * known, only lastSeq is checked).
   *
   * @param atReleased the stored message at seq {@code released}, null when the read did not return it
   */
  static boolean liveRolledBack(long released, String releasedId, long releasedTs, long lastSeq,
                                InboxMessage atReleased) {
    if (released <= 0) {
      return false;
    }
    if (lastSeq < released) {
      return true;
    }
    return releasedId != null && atReleased != null && atReleased.seq() == released
        && !sameMessage(atReleased, releasedId, releasedTs);
  }

  /**
   * Whether a push at or below the released seq is the message already released at that seq:
   * {@code known} is the frame written at that seq (null when not known). A late duplicate of a
   * message that went out is normal (pushes and gap reads race); another message at a released
   * seq is not.
   */
  static boolean samePush(MsgFrame push, MsgFrame known) {
    return known != null && samePush(push, known.id(), known.ts());
  }

  /** As {@link #samePush(MsgFrame, MsgFrame)}, with the released message known by its id and ts. */
  static boolean samePush(MsgFrame push, String knownId, long knownTs) {
    return knownId != null && knownId.equals(push.id()) && push.ts() == knownTs;
  }
}
