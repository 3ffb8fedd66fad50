package io.courier.client;

import io.courier.protocol.InboxMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The receive side of the inbox: which epoch we are in, the highest seq delivered without a gap
 * ({@code lastSeq}), and messages that arrived ahead of a gap. It turns the server's at-least-once,
 * possibly repeated stream (live pushes, retransmits, sync replays) into exactly-once, in-order
 * delivery per epoch. Pure and single-threaded.
 */
final class InboxTracker {
  /** What became of one offered message. */
  enum Outcome {
    /** It (and maybe buffered successors) can be delivered now: see {@link Offer#deliverable()}. */
    DELIVERED,
    /** Its seq was delivered already (or is buffered): drop it. */
    DUPLICATE,
    /** It is ahead of a gap; kept until the gap is filled. */
    BUFFERED,
    /** It is further ahead than the buffer allows; dropped (sync or a retransmit brings it again). */
    TOO_FAR_AHEAD,
    /** It belongs to an epoch other than the current one; dropped. */
    OTHER_EPOCH
  }

  record Offer(Outcome outcome, List<InboxMessage> deliverable) {}

  /** The state left behind when a welcome named another epoch. */
  record EpochChange(String previousEpoch, long previousLastSeq, String newEpoch) {}

  private final int maxAhead;
  private final TreeMap<Long, InboxMessage> ahead = new TreeMap<>();
  private String epoch;
  private long lastSeq;

  /**
   * @param epoch the known epoch, or null when nothing was received yet
   * @param lastSeq highest seq already delivered in {@code epoch} (0 for none)
   * @param maxAhead how far past {@code lastSeq + 1} a message may be and still be buffered
   */
  InboxTracker(String epoch, long lastSeq, int maxAhead) {
    if (lastSeq < 0 || maxAhead < 1) {
      throw new IllegalArgumentException("lastSeq must be >= 0 and maxAhead >= 1");
    }
    if (epoch == null && lastSeq != 0) {
      throw new IllegalArgumentException("a lastSeq needs the epoch it belongs to");
    }
    this.epoch = epoch;
    this.lastSeq = lastSeq;
    this.maxAhead = maxAhead;
  }

  String epoch() {
    return epoch;
  }

  long lastSeq() {
    return lastSeq;
  }

  int buffered() {
    return ahead.size();
  }

  /** True while messages wait behind a missing seq. */
  boolean hasGap() {
    return !ahead.isEmpty();
  }

  /** Highest seq buffered, or {@code lastSeq} when nothing is. */
  long highestSeen() {
    return ahead.isEmpty() ? lastSeq : ahead.lastKey();
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
    ahead.clear();
    return change;
  }

  /** Classifies one {@code msg}; delivered messages move {@code lastSeq} forward. */
  Offer offer(InboxMessage m) {
    if (epoch == null || !epoch.equals(m.epoch())) {
      return new Offer(Outcome.OTHER_EPOCH, List.of());
    }
    long seq = m.seq();
    if (seq <= lastSeq) {
      return new Offer(Outcome.DUPLICATE, List.of());
    }
    if (seq == lastSeq + 1) {
      List<InboxMessage> out = new ArrayList<>(1 + Math.min(ahead.size(), 16));
      out.add(m);
      lastSeq = seq;
      drainContiguous(out);
      return new Offer(Outcome.DELIVERED, out);
    }
    if (seq - lastSeq > maxAhead) {
      return new Offer(Outcome.TOO_FAR_AHEAD, List.of());
    }
    if (ahead.putIfAbsent(seq, m) != null) {
      return new Offer(Outcome.DUPLICATE, List.of());
    }
    return new Offer(Outcome.BUFFERED, List.of());
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
    ahead.headMap(seq, true).clear();
    List<InboxMessage> out = new ArrayList<>();
    drainContiguous(out);
    return out;
  }

  private void drainContiguous(List<InboxMessage> out) {
    Map.Entry<Long, InboxMessage> next;
    while ((next = ahead.firstEntry()) != null && next.getKey() <= lastSeq + 1) {
      ahead.pollFirstEntry();
      if (next.getKey() == lastSeq + 1) {
        out.add(next.getValue());
        lastSeq = next.getKey();
      }
    }
  }
}
