package io.courier.client;

import io.courier.protocol.InboxMessage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The receive side of the inbox: which epoch we are in, the highest seq delivered without a gap
 * ({@code lastSeq}) and the id and ts of the message at it, messages that arrived ahead of a gap,
 * and the keys ({@code from} + NUL + {@code id}) of the messages delivered most recently. It turns
 * the server's at-least-once, possibly repeated stream (live pushes, retransmits, sync replays)
 * into exactly-once, in-order delivery per epoch. Pure and single-threaded.
 *
 * <p>A store that went back to an older state in the same epoch (a rollback) hands out seqs the
 * client has seen again, for other messages. While a sync is answered ({@link #beginSync()} to
 * {@link #endSync}), a message whose seq was delivered but whose key was not is held instead of
 * dropped; when the answer says the inbox was reset, the held messages are delivered by key, and
 * seq tracking restarts at the answer's {@code upTo}. While a rollback found before the sync is being
 * repaired ({@link #startReset()}), every message is delivered by key instead of by seq.
 */
final class InboxTracker {
  /** What became of one offered message. */
  enum Outcome {
    /** It (and maybe buffered successors) can be delivered now: see {@link Offer#deliverable()}. */
    DELIVERED,
    /** Its seq (during a reset: its key) was delivered already (or is buffered): drop it. */
    DUPLICATE,
    /** It is ahead of a gap; kept until the gap is filled. */
    BUFFERED,
    /**
     * Its seq was delivered but its key was not, while a sync is answered: kept until the sync's
     * answer tells whether the inbox rolled back.
     */
    HELD,
    /** It is further ahead than the buffer allows; dropped (sync or a retransmit brings it again). */
    TOO_FAR_AHEAD,
    /** It belongs to an epoch other than the current one; dropped. */
    OTHER_EPOCH
  }

  record Offer(Outcome outcome, List<InboxMessage> deliverable) {}

  /** The state left behind when a welcome named another epoch. */
  record EpochChange(String previousEpoch, long previousLastSeq, String newEpoch) {}

  /** The id and ts of the message at one seq (the sync proof). */
  record Pos(String id, long ts) {}

  private static final Offer DUPLICATE = new Offer(Outcome.DUPLICATE, List.of());

  private final int maxAhead;
  private final int maxKeys;
  private final TreeMap<Long, InboxMessage> ahead = new TreeMap<>();
  /** Seqs past {@code lastSeq} whose message was delivered already (during a reset). */
  private final TreeMap<Long, Pos> doneAhead = new TreeMap<>();
  /** Keys of the last {@code maxKeys} messages delivered, oldest first. */
  private final LinkedHashSet<String> recentKeys = new LinkedHashSet<>();
  /** Messages held by {@link Outcome#HELD} during the current sync. */
  private final List<InboxMessage> held = new ArrayList<>();
  /** Seqs of the current sync (or reset) that are done with (delivered or known), highest kept. */
  private final TreeMap<Long, Pos> done = new TreeMap<>();
  private String epoch;
  private long lastSeq;
  private Pos lastPos;
  private boolean syncing;
  private boolean resetting;
  private boolean heldOverflow;

  /**
   * @param epoch the known epoch, or null when nothing was received yet
   * @param lastSeq highest seq already delivered in {@code epoch} (0 for none)
   * @param lastId id of the message at {@code lastSeq}, or null when unknown
   * @param lastTs ts of the message at {@code lastSeq}, or 0 when unknown
   * @param maxAhead how far past {@code lastSeq + 1} a message may be and still be buffered
   * @param maxKeys how many keys of delivered messages are remembered
   */
  InboxTracker(String epoch, long lastSeq, String lastId, long lastTs, int maxAhead, int maxKeys) {
    if (lastSeq < 0 || maxAhead < 1 || maxKeys < 1) {
      throw new IllegalArgumentException("lastSeq must be >= 0, maxAhead and maxKeys >= 1");
    }
    if (epoch == null && lastSeq != 0) {
      throw new IllegalArgumentException("a lastSeq needs the epoch it belongs to");
    }
    this.epoch = epoch;
    this.lastSeq = lastSeq;
    this.lastPos = lastSeq > 0 && lastId != null ? new Pos(lastId, lastTs) : null;
    this.maxAhead = maxAhead;
    this.maxKeys = maxKeys;
  }

  InboxTracker(String epoch, long lastSeq, int maxAhead) {
    this(epoch, lastSeq, null, 0, maxAhead, 10_000);
  }

  String epoch() {
    return epoch;
  }

  long lastSeq() {
    return lastSeq;
  }

  /** Id of the message at {@link #lastSeq()}, or null when unknown. */
  String lastId() {
    return lastPos == null ? null : lastPos.id();
  }

  /** Ts of the message at {@link #lastSeq()}, or 0 when unknown. */
  long lastTs() {
    return lastPos == null ? 0 : lastPos.ts();
  }

  int buffered() {
    return ahead.size() + held.size();
  }

  /** True while a rollback found at welcome is being repaired: delivery is by key. */
  boolean resetting() {
    return resetting;
  }

  /** True while messages wait behind a missing seq. */
  boolean hasGap() {
    return !ahead.isEmpty() || !doneAhead.isEmpty();
  }

  /** Highest seq buffered, or {@code lastSeq} when nothing is. */
  long highestSeen() {
    return ahead.isEmpty() ? lastSeq : ahead.lastKey();
  }

  static String key(InboxMessage m) {
    return m.from() + '\0' + m.id();
  }

  /** True if a message with this key was delivered (among the last {@code maxKeys}). */
  boolean wasDelivered(InboxMessage m) {
    return recentKeys.contains(key(m));
  }

  /**
   * Adopts the epoch a {@code welcome} names. Same epoch: nothing changes (buffered messages stay
   * valid, a seq always names the same message within an epoch). Another epoch: {@code lastSeq}
   * goes back to 0 and the buffer is emptied.
   *
   * @return what was left behind when a known epoch was replaced, else null
   */
  EpochChange adoptEpoch(String newEpoch) {
    Objects.requireNonNull(newEpoch, "epoch");
    if (newEpoch.equals(epoch)) {
      return null;
    }
    EpochChange change = epoch == null ? null : new EpochChange(epoch, lastSeq, newEpoch);
    epoch = newEpoch;
    lastSeq = 0;
    lastPos = null;
    ahead.clear();
    doneAhead.clear();
    held.clear();
    done.clear();
    resetting = false;
    return change;
  }

  /** A sync is being sent: until {@link #endSync}, seq-duplicates with unknown keys are held. */
  void beginSync() {
    syncing = true;
    held.clear();
    heldOverflow = false;
    if (!resetting) {
      done.clear();
    }
  }

  /**
   * The inbox rolled back before the sync that repairs it (found at welcome): every message is
   * delivered by key until {@link #endSync} with that sync's answer.
   */
  void startReset() {
    resetting = true;
    done.clear();
    held.clear();
    ahead.clear();
    doneAhead.clear();
  }

  /** Classifies one {@code msg}; delivered messages move {@code lastSeq} forward. */
  Offer offer(InboxMessage m) {
    if (epoch == null || !epoch.equals(m.epoch())) {
      return new Offer(Outcome.OTHER_EPOCH, List.of());
    }
    long seq = m.seq();
    if (resetting) {
      markDone(m);
      if (!remember(m)) {
        return DUPLICATE;
      }
      return new Offer(Outcome.DELIVERED, List.of(m));
    }
    if (seq <= lastSeq || doneAhead.containsKey(seq)) {
      if (syncing && !wasDelivered(m) && !isLast(m)) {
        if (held.size() < maxAhead) {
          held.add(m);
        } else {
          heldOverflow = true;
        }
        return new Offer(Outcome.HELD, List.of());
      }
      if (syncing) {
        markDone(m);
      }
      return DUPLICATE;
    }
    if (seq == lastSeq + 1) {
      List<InboxMessage> out = new ArrayList<>(1 + Math.min(ahead.size(), 16));
      advance(m, out);
      drainContiguous(out);
      return new Offer(Outcome.DELIVERED, out);
    }
    if (seq - lastSeq > maxAhead) {
      return new Offer(Outcome.TOO_FAR_AHEAD, List.of());
    }
    if (ahead.putIfAbsent(seq, m) != null) {
      return DUPLICATE;
    }
    return new Offer(Outcome.BUFFERED, List.of());
  }

  /** What the answer to a sync did. */
  record SyncEnd(List<InboxMessage> deliverable, boolean resetEnded, boolean heldOverflow) {}

  /**
   * The {@code synced} answering the current sync. When it says the inbox was reset (or a reset
   * found at welcome was running), whatever is held or buffered is delivered by key (each key once),
   * and seq tracking restarts at {@code upTo}: seqs above it that were delivered during the sync
   * count as delivered. Otherwise held messages are dropped (the server vouched for our position).
   */
  SyncEnd endSync(boolean reset, long upTo) {
    syncing = false;
    if (!reset && !resetting) {
      held.clear();
      done.clear();
      return new SyncEnd(List.of(), false, false);
    }
    boolean overflow = heldOverflow;
    heldOverflow = false;
    List<InboxMessage> pending = new ArrayList<>(held);
    pending.addAll(ahead.values());
    pending.sort(Comparator.comparingLong(InboxMessage::seq));
    held.clear();
    ahead.clear();
    doneAhead.clear();
    List<InboxMessage> out = new ArrayList<>();
    for (InboxMessage m : pending) {
      markDone(m);
      if (remember(m)) {
        out.add(m);
      }
    }
    resetting = false;
    lastSeq = Math.max(0, upTo);
    lastPos = done.get(lastSeq);
    doneAhead.putAll(done.tailMap(lastSeq, false));
    done.clear();
    drainContiguous(out);
    return new SyncEnd(out, true, overflow);
  }

  /**
   * Declares every seq up to {@code seq} gone (retention dropped them): {@code lastSeq} moves to
   * {@code seq} if it was lower, and whatever is buffered right after becomes deliverable.
   */
  List<InboxMessage> skipTo(long seq) {
    if (seq <= lastSeq) {
      return List.of();
    }
    lastSeq = seq;
    lastPos = null;
    ahead.headMap(seq, true).clear();
    doneAhead.headMap(seq, true).clear();
    List<InboxMessage> out = new ArrayList<>();
    drainContiguous(out);
    return out;
  }

  private boolean isLast(InboxMessage m) {
    return m.seq() == lastSeq && lastPos != null && lastPos.id().equals(m.id());
  }

  private void advance(InboxMessage m, List<InboxMessage> out) {
    lastSeq = m.seq();
    lastPos = new Pos(m.id(), m.ts());
    remember(m);
    if (syncing) {
      markDone(m);
    }
    out.add(m);
  }

  /** Adds the key of a message being delivered; false if it was delivered already. */
  private boolean remember(InboxMessage m) {
    if (!recentKeys.add(key(m))) {
      return false;
    }
    if (recentKeys.size() > maxKeys) {
      var it = recentKeys.iterator();
      it.next();
      it.remove();
    }
    return true;
  }

  private void markDone(InboxMessage m) {
    done.put(m.seq(), new Pos(m.id(), m.ts()));
    if (done.size() > maxAhead + 1) {
      done.pollFirstEntry();
    }
  }

  private void drainContiguous(List<InboxMessage> out) {
    while (true) {
      Map.Entry<Long, Pos> known = doneAhead.firstEntry();
      if (known != null && known.getKey() <= lastSeq + 1) {
        doneAhead.pollFirstEntry();
        if (known.getKey() == lastSeq + 1) {
          lastSeq = known.getKey();
          lastPos = known.getValue();
        }
        continue;
      }
      Map.Entry<Long, InboxMessage> next = ahead.firstEntry();
      if (next == null || next.getKey() > lastSeq + 1) {
        return;
      }
      ahead.pollFirstEntry();
      if (next.getKey() == lastSeq + 1) {
        advance(next.getValue(), out);
      }
    }
  }
}
