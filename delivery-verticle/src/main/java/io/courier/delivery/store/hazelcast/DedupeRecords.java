package io.courier.delivery.store.hazelcast;

/**
 * An inbox's dedupe records (sender key → seq, ts, attempt, expiresAt) in insertion order, which is
 * expiry order. Kept in arrays rather than a {@code LinkedHashMap} for the collector's sake: an inbox
 * lives for hours in the old generation, and every reference it is given to a new object is a card
 * the next young collection must scan. A map entry costs four such writes per record (the table
 * slot, the previous entry's link, the map's tail, the entry itself); here a record costs one, its
 * key in {@link #keys}, and its numbers and the hash index are primitive arrays, which the collector
 * neither scans nor copies object by object. (Measured in docs/benchmarks.md §2: card scanning is
 * the larger half of a young pause under message load.)
 *
 * <p>{@link #keys} and {@link #values} are a ring from {@link #head}; a removed record leaves a null
 * key until the ring is compacted. {@link #index} is an open-addressing table (linear probing) of
 * ring slot + 1, 0 for empty, holding the live records only. Not thread-safe: an inbox is only
 * touched by its partition's thread.
 */
final class DedupeRecords {
  private static final int FIELDS = 4;
  private static final int SEQ = 0;
  private static final int TS = 1;
  private static final int ATTEMPT = 2;
  private static final int EXPIRES = 3;
  private static final String[] NO_KEYS = new String[0];
  private static final long[] NO_VALUES = new long[0];
  private static final int[] NO_INDEX = new int[0];

  private String[] keys = NO_KEYS;
  private long[] values = NO_VALUES;
  /** Ring slot of the oldest record (live or removed). */
  private int head;
  /** Ring slots in use from {@link #head}, removed ones included. */
  private int used;
  private int live;
  /** Slot + 1 of each live record, by the key's hash; length a power of two, at least twice the ring's. */
  private int[] index = NO_INDEX;

  int size() {
    return live;
  }

  boolean isEmpty() {
    return live == 0;
  }

  /** The ring slot holding {@code key}'s record, or -1. */
  int find(String key) {
    if (live == 0) {
      return -1;
    }
    int mask = index.length - 1;
    for (int i = home(key, mask); ; i = (i + 1) & mask) {
      int slot = index[i] - 1;
      if (slot < 0) {
        return -1;
      }
      if (keys[slot].equals(key)) {
        return slot;
      }
    }
  }

  long seq(int slot) {
    return values[slot * FIELDS + SEQ];
  }

  long ts(int slot) {
    return values[slot * FIELDS + TS];
  }

  long attempt(int slot) {
    return values[slot * FIELDS + ATTEMPT];
  }

  long expiresAt(int slot) {
    return values[slot * FIELDS + EXPIRES];
  }

  String key(int slot) {
    return keys[slot];
  }

  /**
   * Adds the record as the newest; a record of the same key is removed first (so the order stays
   * expiry order).
   *
   * @return whether the key was new
   */
  boolean put(String key, long seq, long ts, long attempt, long expiresAt) {
    int existing = find(key);
    if (existing >= 0) {
      remove(existing);
    }
    if (used == keys.length) {
      reshape();
    }
    int slot = (head + used) % keys.length;
    used++;
    live++;
    keys[slot] = key;
    int v = slot * FIELDS;
    values[v + SEQ] = seq;
    values[v + TS] = ts;
    values[v + ATTEMPT] = attempt;
    values[v + EXPIRES] = expiresAt;
    insertIndex(slot);
    return existing < 0;
  }

  /** The slot of the oldest live record, or -1 when there is none. */
  int oldest() {
    skipRemovedAtHead();
    return live == 0 ? -1 : head;
  }

  /** The slot of the live record after {@code slot} in insertion order, or -1. */
  int next(int slot) {
    int offset = Math.floorMod(slot - head, keys.length);
    for (int o = offset + 1; o < used; o++) {
      int s = (head + o) % keys.length;
      if (keys[s] != null) {
        return s;
      }
    }
    return -1;
  }

  /** Removes the record in {@code slot}. */
  void remove(int slot) {
    int mask = index.length - 1;
    int i = home(keys[slot], mask);
    while (index[i] - 1 != slot) {
      i = (i + 1) & mask;
    }
    deleteIndex(i);
    keys[slot] = null;
    live--;
    skipRemovedAtHead();
  }

  private void skipRemovedAtHead() {
    while (used > 0 && keys[head] == null) {
      head = (head + 1) % keys.length;
      used--;
    }
    if (used == 0) {
      head = 0;
    }
  }

  /** A full ring: compacted in place when half of it is removed records, else twice as large. */
  private void reshape() {
    int capacity = live <= keys.length / 2 ? Math.max(keys.length, 8) : keys.length * 2;
    String[] k = new String[capacity];
    long[] v = new long[capacity * FIELDS];
    int n = 0;
    for (int o = 0; o < used; o++) {
      int s = (head + o) % keys.length;
      if (keys[s] != null) {
        k[n] = keys[s];
        System.arraycopy(values, s * FIELDS, v, n * FIELDS, FIELDS);
        n++;
      }
    }
    keys = k;
    values = v;
    head = 0;
    used = n;
    index = new int[Integer.highestOneBit(capacity) * 4];
    for (int s = 0; s < n; s++) {
      insertIndex(s);
    }
  }

  private void insertIndex(int slot) {
    int mask = index.length - 1;
    int i = home(keys[slot], mask);
    while (index[i] != 0) {
      i = (i + 1) & mask;
    }
    index[i] = slot + 1;
  }

  /** Linear probing's deletion without tombstones: later entries of the probe run move up. */
  private void deleteIndex(int hole) {
    int mask = index.length - 1;
    for (int j = (hole + 1) & mask; index[j] != 0; j = (j + 1) & mask) {
      int h = home(keys[index[j] - 1], mask);
      // The entry at j may fill the hole unless its home lies cyclically in (hole, j].
      boolean homeBetween = hole <= j ? hole < h && h <= j : hole < h || h <= j;
      if (!homeBetween) {
        index[hole] = index[j];
        hole = j;
      }
    }
    index[hole] = 0;
  }

  private static int home(String key, int mask) {
    int h = key.hashCode();
    return (h ^ (h >>> 16)) & mask;
  }
}
