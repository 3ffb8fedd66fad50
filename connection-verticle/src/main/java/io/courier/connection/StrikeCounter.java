package io.courier.connection;

/**
 * Counts strikes (rate_limited answers) and says when {@code limit} of them fell within
 * {@code windowMs}: a client that keeps going past its limits, not one that touched them once.
 * Keeps the times of the last {@code limit} strikes only. Plain class, confined to one thread.
 */
final class StrikeCounter {
  private final long[] times;
  private final long windowMs;
  private int next;
  private int count;

  /** {@code limit} 0 never trips. */
  StrikeCounter(int limit, long windowMs) {
    if (limit < 0 || windowMs < 1) {
      throw new IllegalArgumentException("limit must be >= 0 and window >= 1 ms");
    }
    this.times = new long[limit];
    this.windowMs = windowMs;
  }

  /** Records a strike at {@code nowMs}; true when it is the limit-th within the window. */
  boolean strike(long nowMs) {
    if (times.length == 0) {
      return false;
    }
    times[next] = nowMs;
    next = (next + 1) % times.length;
    count = Math.min(count + 1, times.length);
    // times[next] is now the oldest of the last `limit` strikes.
    return count == times.length && nowMs - times[next] < windowMs;
  }
}
