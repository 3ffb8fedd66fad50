package io.courier.client;

import java.util.Objects;
import java.util.function.LongUnaryOperator;

/**
 * Exponential backoff with full jitter: the n-th delay (n counted from 0) is uniform in
 * {@code [0, min(cap, base * 2^n)]}. Pure: the random source is injected, no clock, no Vert.x.
 * Not thread-safe; the client uses it on its own context only.
 */
final class Backoff {
  private final long baseMs;
  private final long capMs;
  private final LongUnaryOperator random;
  private int attempt;

  /**
   * @param random given a bound {@code b >= 0}, returns a uniform value in {@code [0, b]}
   */
  Backoff(long baseMs, long capMs, LongUnaryOperator random) {
    if (baseMs <= 0 || capMs < baseMs) {
      throw new IllegalArgumentException("need 0 < base <= cap, got base=" + baseMs + " cap=" + capMs);
    }
    this.baseMs = baseMs;
    this.capMs = capMs;
    this.random = Objects.requireNonNull(random);
  }

  /** A backoff drawing from {@link java.util.concurrent.ThreadLocalRandom}. */
  static Backoff withDefaultRandom(long baseMs, long capMs) {
    return new Backoff(baseMs, capMs, Backoff::uniform);
  }

  static long uniform(long bound) {
    return bound <= 0 ? 0 : java.util.concurrent.ThreadLocalRandom.current().nextLong(bound + 1);
  }

  /** Upper bound of the delay for {@code attempt}: {@code min(cap, base * 2^attempt)}, overflow-safe. */
  long ceiling(int attempt) {
    if (attempt < 0) {
      throw new IllegalArgumentException("attempt must be >= 0");
    }
    // base * 2^attempt > cap as soon as 2^attempt > cap / base; test that without overflowing.
    if (attempt >= 62 || (1L << attempt) > capMs / baseMs) {
      return capMs;
    }
    return Math.min(capMs, baseMs << attempt);
  }

  /** The delay for {@code attempt}, without changing the attempt counter. */
  long delay(int attempt) {
    long bound = ceiling(attempt);
    long d = random.applyAsLong(bound);
    return Math.max(0, Math.min(bound, d));
  }

  /** The next delay; the attempt counter then moves on. */
  long next() {
    long d = delay(attempt);
    if (attempt < Integer.MAX_VALUE) {
      attempt++;
    }
    return d;
  }

  /** Back to the first attempt (after a stable connection). */
  void reset() {
    attempt = 0;
  }

  /** How many delays were drawn since the last reset. */
  int attempt() {
    return attempt;
  }

  long baseMs() {
    return baseMs;
  }

  long capMs() {
    return capMs;
  }
}
