package io.courier.delivery.store.hazelcast;

import java.util.Arrays;

/**
 * The retained messages of one inbox: consecutive seqs [firstSeq, lastSeq] in a ring of encoded
 * messages. Appends go to the end, retention drops from the front, reads index by seq; all O(1).
 * A slot may be empty (null) only on a backup replica that missed a backup operation (see
 * {@link #put}); readers skip empty slots. Not thread-safe: an inbox is only touched by its
 * partition's thread.
 */
final class MessageWindow {
  private static final byte[][] EMPTY = new byte[0][];

  private byte[][] ring = EMPTY;
  private int head;
  private int size;
  /** Seq of the message at {@code head}; lastSeq + 1 when the window is empty. */
  private long firstSeq;
  /** Body bytes of the messages held (what {@code COURIER_RETENTION_MAX_BYTES} limits). */
  private long bodyBytes;
  /** Encoded bytes of the messages held. */
  private long encodedBytes;

  MessageWindow(long firstSeq) {
    this.firstSeq = firstSeq;
  }

  long firstSeq() {
    return firstSeq;
  }

  long lastSeq() {
    return firstSeq + size - 1;
  }

  int size() {
    return size;
  }

  long bodyBytes() {
    return bodyBytes;
  }

  /** The heap the messages take, estimated: their encoded bytes and a fixed overhead each. */
  long heapBytes() {
    return encodedBytes + (long) size * StoreMemory.MESSAGE_OVERHEAD;
  }

  private void count(byte[] encoded, int sign) {
    if (encoded != null) {
      bodyBytes += sign * (long) StoredMessage.bodyBytesOf(encoded);
      encodedBytes += sign * (long) encoded.length;
    }
  }

  void add(byte[] encoded) {
    if (size == ring.length) {
      grow();
    }
    ring[(head + size) % ring.length] = encoded;
    size++;
    count(encoded, 1);
  }

  /** Drops the oldest message. */
  void removeFirst() {
    count(ring[head], -1);
    ring[head] = null;
    head = (head + 1) % ring.length;
    size--;
    firstSeq++;
    if (size == 0) {
      head = 0;
      if (ring.length > 16) {
        ring = EMPTY; // an inbox that drained gives its array back
      }
    }
  }

  /**
   * Writes {@code encoded} at {@code seq} exactly, as a backup replica applies what its primary
   * did: past the end the window grows (any seqs skipped stay empty until the partition's replica
   * sync replaces the whole inbox), inside it the slot is overwritten, below it nothing happens.
   */
  void put(long seq, byte[] encoded) {
    if (size == 0 && seq >= firstSeq) {
      firstSeq = seq;
    }
    if (seq < firstSeq) {
      return;
    }
    while (lastSeq() < seq - 1) {
      add(null);
    }
    if (seq == lastSeq() + 1) {
      add(encoded);
    } else {
      int slot = (int) ((head + (seq - firstSeq)) % ring.length);
      count(ring[slot], -1);
      ring[slot] = encoded;
      count(encoded, 1);
    }
  }

  /** Drops every seq below {@code seq}; an empty window moves its start there. */
  void dropBelow(long seq) {
    while (size > 0 && firstSeq < seq) {
      removeFirst();
    }
    if (size == 0 && firstSeq < seq) {
      firstSeq = seq;
    }
  }

  byte[] first() {
    return size == 0 ? null : ring[head];
  }

  /** The message at {@code seq}, or null if it is outside the window. */
  byte[] get(long seq) {
    if (seq < firstSeq || seq > lastSeq()) {
      return null;
    }
    return ring[(int) ((head + (seq - firstSeq)) % ring.length)];
  }

  private void grow() {
    byte[][] bigger = new byte[Math.max(4, ring.length * 2)][];
    for (int i = 0; i < size; i++) {
      bigger[i] = ring[(head + i) % ring.length];
    }
    Arrays.fill(ring, null);
    ring = bigger;
    head = 0;
  }
}
