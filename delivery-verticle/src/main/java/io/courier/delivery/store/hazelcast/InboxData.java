package io.courier.delivery.store.hazelcast;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.spi.exception.RetryableHazelcastException;
import io.courier.cluster.Maps;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One inbox's message and dedupe entries, used from inside a processor that runs on the owner of the
 * inbox's partition. Calls are blocking, which is allowed on the offload executor the processors
 * run on (never on a partition thread, where waiting for backup acks could stall two members on
 * each other); the keys share the head's partition, so they stay on this member.
 */
final class InboxData {
  /** Dropping is best effort beyond this many per append; TTL removes whatever is left. */
  private static final int MAX_DROPS_PER_CALL = 1024;

  private final HazelcastInstance hz;
  private final IMap<String, byte[]> messages;
  private final IMap<String, byte[]> dedupe;
  private final String user;

  InboxData(HazelcastInstance hz, String user) {
    this.hz = hz;
    this.messages = hz.getMap(Maps.INBOX_MSG);
    this.dedupe = hz.getMap(Maps.INBOX_DEDUPE);
    this.user = user;
  }

  /**
   * The head's lastSeq, moved past messages that exist above it. Appends write the message (with a
   * synchronous backup) before the head, and the head's own backup is not awaited when a processor
   * is offloaded; after a fail-over the head can therefore lag behind a message whose append was
   * answered. Such a message is committed: it is counted, never overwritten.
   */
  long committedLastSeq(InboxHead head) {
    long last = head.lastSeq();
    while (exists(head.epoch(), last + 1)) {
      last++;
    }
    return last;
  }

  /**
   * Lowest seq in [from, last] whose message still exists, or last + 1. Messages vanish from the
   * front only (count drops below the head's firstSeq, TTL in ts order), so a binary search finds
   * the boundary in a few probes even after a long idle period.
   */
  long firstRetained(String epoch, long from, long last) {
    if (from > last) {
      return last + 1;
    }
    if (exists(epoch, from)) {
      return from;
    }
    long lo = from + 1;
    long hi = last + 1;
    while (lo < hi) {
      long mid = lo + (hi - lo) / 2;
      if (exists(epoch, mid)) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  /**
   * Why this member must not serve the inbox's partition now, or null if it may:
   * <ul>
   *   <li>it began shutting down: its record stores may be cleared while a processor still runs, so
   *       what was just read may be incomplete (seen with an in-process terminate(), which a test
   *       uses to simulate a crash);</li>
   *   <li>the partition migrated away while the processor ran. The offload lock that serializes
   *       appends to one inbox is local to the member that took it and is not migrated, so the new
   *       owner may already run appends on the same inbox. Stopping early keeps a stale processor
   *       from writing at all; {@link #putNew} is what makes a late one harmless.</li>
   * </ul>
   */
  String notServing() {
    if (!hz.getLifecycleService().isRunning()) {
      return "member is shutting down";
    }
    // The inbox maps partition by the user id (the text after the first '@' of every key).
    Member owner = hz.getPartitionService().getPartition(user).getOwner();
    if (owner == null || !owner.localMember()) {
      return "inbox partition moved to " + owner;
    }
    return null;
  }

  /** For read-only processors: fails the call, for Hazelcast to retry it on the partition's owner. */
  void ensureStillServing() {
    String why = notServing();
    if (why != null) {
      throw new RetryableHazelcastException(why + "; retry on the partition's owner");
    }
  }

  DedupeRecord remembered(String from, String id) {
    byte[] v = dedupe.get(InboxKeys.dedupe(from, id, user));
    return v == null ? null : DedupeRecord.decode(v);
  }

  void remember(String from, String id, DedupeRecord record, long windowMs) {
    dedupe.set(InboxKeys.dedupe(from, id, user), record.encode(), windowMs, TimeUnit.MILLISECONDS);
  }

  /**
   * Stores {@code msg} at {@code seq} unless another message is already there; ttlMs 0: kept until
   * dropped by the count limit. Never overwrites: a processor left running on a partition's previous
   * owner (see {@link #notServing}) computes its seq from the same entries as an append on the new
   * owner, and an overwrite would silently replace a message that append already answered.
   *
   * @return true if {@code msg} is now at {@code seq}, including when the same send was already
   *     there (this call's earlier try, or a concurrent resend); false if another message holds it
   */
  boolean putNew(String epoch, long seq, StoredMessage msg, byte[] encoded, long ttlMs) {
    byte[] there = messages.putIfAbsent(InboxKeys.message(epoch, seq, user), encoded, ttlMs, TimeUnit.MILLISECONDS);
    return there == null || msg.sameSend(StoredMessage.decode(there));
  }

  /** The message stored at {@code seq}, or null if there is none (never stored, dropped, expired). */
  StoredMessage get(String epoch, long seq) {
    byte[] v = messages.get(InboxKeys.message(epoch, seq, user));
    return v == null ? null : StoredMessage.decode(v);
  }

  /** Removes seqs [from, to); readers already ignore them because the head's firstSeq moved. */
  void drop(String epoch, long from, long to) {
    for (long s = from; s < to && s < from + MAX_DROPS_PER_CALL; s++) {
      messages.removeAsync(InboxKeys.message(epoch, s, user));
    }
  }

  /** Stored messages with seqs in [from, to], in seq order, skipping missing ones; one map call. */
  List<Map.Entry<Long, byte[]>> range(String epoch, long from, long to) {
    if (from > to) {
      return List.of();
    }
    Set<String> keys = new LinkedHashSet<>();
    for (long s = from; s <= to; s++) {
      keys.add(InboxKeys.message(epoch, s, user));
    }
    Map<String, byte[]> found = messages.getAll(keys);
    List<Map.Entry<Long, byte[]>> out = new ArrayList<>(found.size());
    long s = from;
    for (String k : keys) {
      byte[] v = found.get(k);
      if (v != null) {
        out.add(Map.entry(s, v));
      }
      s++;
    }
    return out;
  }

  private boolean exists(String epoch, long seq) {
    return messages.containsKey(InboxKeys.message(epoch, seq, user));
  }
}
