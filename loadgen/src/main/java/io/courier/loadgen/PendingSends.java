package io.courier.loadgen;

import java.util.function.Consumer;

/**
 * One connection's sends not yet answered with `sent`, by message number. Numbers are handed out
 * in order, so the unanswered ones lie in a window [{@code low}, next) that slides as answers come
 * in; it is kept in a ring indexed by number, with no boxing or hashing per send, and walked in
 * number order, which is send order (resends after a reconnect keep it).
 *
 * @param <T> what is kept per send
 */
final class PendingSends<T> {
  private Object[] slots = new Object[8];
  /** The lowest number that may still be pending; every number below it is answered. */
  private int low;
  /** One past the highest number put. */
  private int high;
  private int size;

  /** Keeps {@code value} for {@code number}, which must be higher than every number put before. */
  void put(int number, T value) {
    if (number < high) {
      throw new IllegalArgumentException("number " + number + " is not above " + (high - 1));
    }
    if (size == 0) {
      low = number;
    }
    while (number - low >= slots.length) {
      grow();
    }
    slots[number & (slots.length - 1)] = value;
    high = number + 1;
    size++;
  }

  @SuppressWarnings("unchecked")
  T get(int number) {
    if (number < low || number >= high) {
      return null;
    }
    return (T) slots[number & (slots.length - 1)];
  }

  /** Removes and returns what was kept for {@code number}, or null. */
  T remove(int number) {
    T v = get(number);
    if (v == null) {
      return null;
    }
    slots[number & (slots.length - 1)] = null;
    size--;
    if (size == 0) {
      low = high;
    } else {
      while (slots[low & (slots.length - 1)] == null) {
        low++;
      }
    }
    return v;
  }

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  void clear() {
    java.util.Arrays.fill(slots, null);
    size = 0;
    low = high;
  }

  /** Every kept value in number order. */
  @SuppressWarnings("unchecked")
  void forEach(Consumer<T> action) {
    for (int n = low; n < high; n++) {
      Object v = slots[n & (slots.length - 1)];
      if (v != null) {
        action.accept((T) v);
      }
    }
  }

  private void grow() {
    Object[] bigger = new Object[slots.length * 2];
    for (int n = low; n < high; n++) {
      bigger[n & (bigger.length - 1)] = slots[n & (slots.length - 1)];
    }
    slots = bigger;
  }
}
