package io.courier.connection.session;

/**
 * Counts strikes (rate_limited answers) and says when {@code limit} of them fell within
 * {@code windowMs}: a client that keeps going past its limits, not one that touched them once.
 * Keeps the times of the last {@code limit} strikes only. Plain class, confined to one thread.
 */
final class StrikeCounter {
  private final int limit;
  private final long windowMs;
  /** Allocated at the first strike: most connections never get one. */
  private long[] times;
  private int next;
  private int count;

  /** {@code limit} 0 never trips. */
  StrikeCounter(int limit, long windowMs) {
    if (limit < 0 || windowMs < 1) {
      throw new IllegalArgumentException("limit must be >= 0 and window >= 1 ms");
    }
    this.limit = limit;
    this.windowMs = windowMs;
  }

  /** Records a strike at {@code nowMs}; true when it is the limit-th within the window. */
  boolean strike(long nowMs) {
    if (limit == 0) {
      return false;
    }
    if (times == null) {
      times = new long[limit];
    }
    times[next] = nowMs;
    next = (next + 1) % times.length;
    count = Math.min(count + 1, times.length);
    // times[next] is now the oldest of the last `limit` strikes.
    return count == times.length && nowMs - times[next] < windowMs;
  }
}
