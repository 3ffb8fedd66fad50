package io.courier.client;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The client's bounded queue of {@code send}s not yet confirmed by a {@code sent}. Entries keep the
 * order they were added in; {@link #nextToWrite} always hands out the oldest unwritten one, so
 * resends after a reconnect or a retryable error go out in the original order, with the same id.
 * An entry leaves only through {@link #remove} (confirmed or failed for good) or {@link #drain}.
 * Pure and single-threaded; {@code A} is what the caller attaches (the client's promise).
 */
final class Outbox<A> {
  static final class Entry<A> {
    final String id;
    final String frame;
    final long bytes;
    final A attachment;
    final long order;
    boolean written;
    /** How many times the frame was handed out for writing. */
    int writes;
    /** How many retryable errors the server answered. */
    int retries;
    long writtenAt;

    Entry(String id, String frame, long bytes, A attachment, long order) {
      this.id = id;
      this.frame = frame;
      this.bytes = bytes;
      this.attachment = attachment;
      this.order = order;
    }
  }

  /** Why {@link #add} refused. */
  enum Refusal { FULL, DUPLICATE_ID }

  private final int maxMessages;
  private final long maxBytes;
  private final Map<String, Entry<A>> byId = new HashMap<>();
  private final TreeMap<Long, Entry<A>> unwritten = new TreeMap<>();
  private final TreeMap<Long, Entry<A>> inFlight = new TreeMap<>();
  private long nextOrder;
  private long bytes;

  Outbox(int maxMessages, long maxBytes) {
    if (maxMessages < 1 || maxBytes < 1) {
      throw new IllegalArgumentException("outbox limits must be positive");
    }
    this.maxMessages = maxMessages;
    this.maxBytes = maxBytes;
  }

  /** Why {@code id} cannot be added now, or null if it can. */
  Refusal check(String id, long frameBytes) {
    if (byId.containsKey(id)) {
      return Refusal.DUPLICATE_ID;
    }
    if (byId.size() >= maxMessages || bytes + frameBytes > maxBytes) {
      return Refusal.FULL;
    }
    return null;
  }

  /** Queues a frame at the end; throws if {@link #check} would refuse. */
  Entry<A> add(String id, String frame, long frameBytes, A attachment) {
    Refusal r = check(id, frameBytes);
    if (r != null) {
      throw new IllegalStateException("outbox refuses " + id + ": " + r);
    }
    Entry<A> e = new Entry<>(id, frame, frameBytes, attachment, nextOrder++);
    byId.put(id, e);
    unwritten.put(e.order, e);
    bytes += frameBytes;
    return e;
  }

  /** The oldest unwritten entry, now marked written at {@code nowMs}; null if none. */
  Entry<A> nextToWrite(long nowMs) {
    Map.Entry<Long, Entry<A>> first = unwritten.pollFirstEntry();
    if (first == null) {
      return null;
    }
    Entry<A> e = first.getValue();
    e.written = true;
    e.writes++;
    e.writtenAt = nowMs;
    inFlight.put(e.order, e);
    return e;
  }

  Entry<A> get(String id) {
    return byId.get(id);
  }

  /** Takes an entry out for good (confirmed, or failed permanently). Null if unknown. */
  Entry<A> remove(String id) {
    Entry<A> e = byId.remove(id);
    if (e == null) {
      return null;
    }
    (e.written ? inFlight : unwritten).remove(e.order);
    bytes -= e.bytes;
    return e;
  }

  /**
   * Puts a written entry back in line (in its original position) after a retryable error.
   *
   * @return the entry, with {@code retries} counted up; null if it is unknown or not written
   */
  Entry<A> retry(String id) {
    Entry<A> e = byId.get(id);
    if (e == null || !e.written) {
      return null;
    }
    e.retries++;
    unwrite(e);
    return e;
  }

  /** The connection is gone: every written entry must be written again, in order. */
  int unwriteAll() {
    int n = inFlight.size();
    for (Entry<A> e : new ArrayList<>(inFlight.values())) {
      unwrite(e);
    }
    return n;
  }

  /** Written entries with no answer since before {@code deadlineMs}, now back in line. */
  List<Entry<A>> unwriteOlderThan(long deadlineMs) {
    List<Entry<A>> late = new ArrayList<>();
    for (Entry<A> e : inFlight.values()) {
      if (e.writtenAt < deadlineMs) {
        late.add(e);
      }
    }
    late.forEach(this::unwrite);
    return late;
  }

  /** Removes and returns everything, oldest first (the client is closing). */
  List<Entry<A>> drain() {
    TreeMap<Long, Entry<A>> all = new TreeMap<>(unwritten);
    all.putAll(inFlight);
    byId.clear();
    unwritten.clear();
    inFlight.clear();
    bytes = 0;
    return new ArrayList<>(all.values());
  }

  int size() {
    return byId.size();
  }

  int inFlight() {
    return inFlight.size();
  }

  int unwritten() {
    return unwritten.size();
  }

  long bytes() {
    return bytes;
  }

  private void unwrite(Entry<A> e) {
    inFlight.remove(e.order);
    e.written = false;
    unwritten.put(e.order, e);
  }
}
