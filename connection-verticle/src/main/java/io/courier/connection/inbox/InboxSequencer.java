package io.courier.connection.inbox;

import io.courier.protocol.MsgFrame;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Keeps one connection's live pushes in seq order with no gaps. Pushes travel from any delivery
 * instance over the event bus, so they can arrive out of order or (rarely) not at all; this class
 * releases a push only when every earlier seq since the connection's start has been released, and
 * tells the caller when a gap has to be read from the store. Plain class, confined to one context.
 */
final class InboxSequencer {
  private final int maxAhead;
  /** Empty and shared until the first push is held: most connections never hold one. */
  private NavigableMap<Long, MsgFrame> ahead = Collections.emptyNavigableMap();
  private long released = -1;
  /** While true nothing is released: pushes are kept (the newest maxAhead) until {@link #resume}. */
  private boolean held;

  InboxSequencer(int maxAhead) {
    this.maxAhead = maxAhead;
  }

  boolean started() {
    return released >= 0;
  }

  /** The highest seq released so far (-1 before {@link #start}). */
  long released() {
    return released;
  }

  /**
   * Starts live delivery after {@code lastSeq} (the welcome's): earlier messages reach the client
   * only through sync. Returns pushes that arrived before the start and can go out now.
   */
  List<MsgFrame> start(long lastSeq) {
    released = lastSeq;
    if (!ahead.isEmpty()) {
      ahead.headMap(lastSeq, true).clear();
    }
    return drain();
  }

  /** Offers a live push; returns what can be written now, in order (possibly empty). */
  List<MsgFrame> offer(MsgFrame frame) {
    long seq = frame.seq();
    if (released >= 0 && seq <= released) {
      return List.of();
    }
    writableAhead().put(seq, frame);
    if (released < 0 || held) {
      // Before start: keep only the newest maxAhead, the oldest are covered by sync anyway. While
      // held: the oldest dropped leave a gap that is read from the store after resume.
      while (ahead.size() > maxAhead) {
        ahead.pollFirstEntry();
      }
      return List.of();
    }
    return drain();
  }

  /** True while a push is held waiting for an earlier seq. */
  boolean hasGap() {
    return released >= 0 && !held && !ahead.isEmpty();
  }

  /**
   * Stops releasing: pushes past {@link #released()} are kept until {@link #resume()}. Used while
   * the store is asked whether it went back: what it hands out past the released seq may then
   * be a second history the client must not take for the continuation of the first.
   */
  void hold() {
    held = true;
  }

  boolean held() {
    return held;
  }

  /** Releases again; returns what can be written now. */
  List<MsgFrame> resume() {
    held = false;
    return drain();
  }

  /** True when so many pushes are held that the gap must be read now rather than waited for. */
  boolean overflowing() {
    return ahead.size() >= maxAhead;
  }

  /** The lowest held seq (the gap ends just before it), or -1. */
  long firstHeld() {
    return ahead.isEmpty() ? -1 : ahead.firstKey();
  }

  /**
   * Fills the gap with messages read from the store. {@code firstAvailable} is the lowest seq the
   * store still holds: seqs below it were dropped by retention and are skipped.
   */
  List<MsgFrame> fill(List<MsgFrame> fromStore, long firstAvailable) {
    if (held) {
      return List.of();
    }
    if (firstAvailable - 1 > released) {
      released = firstAvailable - 1;
    }
    for (MsgFrame o : fromStore) {
      if (o.seq() > released && !ahead.containsKey(o.seq())) {
        writableAhead().put(o.seq(), o);
      }
    }
    return drain();
  }

  /** The held pushes, writable. */
  private NavigableMap<Long, MsgFrame> writableAhead() {
    if (!(ahead instanceof TreeMap)) {
      ahead = new TreeMap<>();
    }
    return ahead;
  }

  private List<MsgFrame> drain() {
    if (held) {
      return List.of();
    }
    List<MsgFrame> out = new ArrayList<>();
    while (!ahead.isEmpty() && ahead.firstKey() <= released + 1) {
      Map.Entry<Long, MsgFrame> e = ahead.pollFirstEntry();
      if (e.getKey() == released + 1) {
        out.add(e.getValue());
        released = e.getKey();
      }
    }
    return out;
  }
}
