package io.courier.connection;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Live messages written to a connection and not yet acked, with their retransmit schedule: first
 * after {@code initialMs}, then doubling up to {@code maxMs}, for as long as the connection lives.
 * Acks are cumulative. Plain class, confined to one context.
 */
final class UnackedBuffer {
  private static final class Entry {
    final String frame;
    long dueAt;
    long interval;

    Entry(String frame, long dueAt, long interval) {
      this.frame = frame;
      this.dueAt = dueAt;
      this.interval = interval;
    }
  }

  private final long initialMs;
  private final long maxMs;
  private final TreeMap<Long, Entry> entries = new TreeMap<>();

  UnackedBuffer(long initialMs, long maxMs) {
    this.initialMs = initialMs;
    this.maxMs = maxMs;
  }

  void track(long seq, String frame, long now) {
    entries.put(seq, new Entry(frame, now + initialMs, initialMs));
  }

  /** Forgets every seq <= {@code seq}; returns how many were acked. */
  int ack(long seq) {
    Map<Long, Entry> head = entries.headMap(seq, true);
    int n = head.size();
    head.clear();
    return n;
  }

  /** Frames due for retransmit at {@code now}, in seq order; each is rescheduled with a doubled interval. */
  List<String> due(long now) {
    List<String> out = new ArrayList<>();
    Iterator<Entry> it = entries.values().iterator();
    while (it.hasNext()) {
      Entry e = it.next();
      if (e.dueAt <= now) {
        out.add(e.frame);
        e.interval = Math.min(e.interval * 2, maxMs);
        e.dueAt = now + e.interval;
      }
    }
    return out;
  }

  int size() {
    return entries.size();
  }
}
