package io.courier.connection.inbox;

import io.courier.protocol.MsgFrame;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Live messages written to a connection and not yet acked, with their retransmit schedule: first
 * after {@code initialMs}, then doubling up to {@code maxMs}, for as long as the connection lives.
 * Acks are cumulative. Plain class, confined to one context.
 */
final class UnackedBuffer {
  private static final class Entry {
    /** Shared with every other connection of the user on this node that got the same push. */
    final MsgFrame frame;
    long dueAt;
    long interval;

    Entry(MsgFrame frame, long dueAt, long interval) {
      this.frame = frame;
      this.dueAt = dueAt;
      this.interval = interval;
    }
  }

  private final long initialMs;
  private final long maxMs;
  /** Empty and shared until the first live message is written: an idle connection never has one. */
  private NavigableMap<Long, Entry> entries = Collections.emptyNavigableMap();
  /**
   * No entry is due before this (a lower bound: an ack can remove the entry that set it). The tick
   * asks every connection every second; with this, a connection with nothing due answers without
   * walking its entries or allocating.
   */
  private long earliestDue = Long.MAX_VALUE;

  UnackedBuffer(long initialMs, long maxMs) {
    this.initialMs = initialMs;
    this.maxMs = maxMs;
  }

  /** Tracks a written frame at its seq. True if new. */
  boolean track(MsgFrame frame, long now) {
    if (!(entries instanceof TreeMap)) {
      entries = new TreeMap<>();
    }
    long dueAt = now + initialMs;
    earliestDue = Math.min(earliestDue, dueAt);
    return entries.put(frame.seq(), new Entry(frame, dueAt, initialMs)) == null;
  }

  /** Forgets every seq <= {@code seq}; returns how many were acked. */
  int ack(long seq) {
    return ack(seq, at -> {});
  }

  /** As {@link #ack(long)}, handing each acked message's ts (when the store accepted it) to {@code acceptedAt}. */
  int ack(long seq, java.util.function.LongConsumer acceptedAt) {
    if (entries.isEmpty()) {
      return 0;
    }
    Map<Long, Entry> head = entries.headMap(seq, true);
    int n = head.size();
    for (Entry e : head.values()) {
      acceptedAt.accept(e.frame.ts());
    }
    head.clear();
    return n;
  }

  /** Frames due for retransmit at {@code now}, in seq order; each is rescheduled with a doubled interval. */
  List<String> due(long now) {
    if (now < earliestDue) {
      return List.of();
    }
    if (entries.isEmpty()) {
      earliestDue = Long.MAX_VALUE;
      return List.of();
    }
    List<String> out = new ArrayList<>();
    long next = Long.MAX_VALUE;
    Iterator<Entry> it = entries.values().iterator();
    while (it.hasNext()) {
      Entry e = it.next();
      if (e.dueAt <= now) {
        out.add(e.frame.text());
        e.interval = Math.min(e.interval * 2, maxMs);
        e.dueAt = now + e.interval;
      }
      next = Math.min(next, e.dueAt);
    }
    earliestDue = next;
    return out;
  }

  /** The frame written at {@code seq} and not yet acked, or null. */
  MsgFrame frameAt(long seq) {
    Entry e = entries.get(seq);
    return e == null ? null : e.frame;
  }

  int size() {
    return entries.size();
  }
}
