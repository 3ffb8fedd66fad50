package io.courier.connection.session;

import java.io.Serializable;

/**
 * One user's cluster-wide send bucket: {@code tokens} as of {@code atMs}. It refills at
 * {@code ratePerS} up to {@code burst}; a lease takes whole tokens out. An absent bucket is a full
 * one, so an entry can expire once it would have refilled. Plain value and arithmetic, no I/O.
 */
public record SendBucket(double tokens, long atMs) implements Serializable {

  /** What a lease got: {@code granted} tokens; when fewer than asked, {@code retryAfterMs} until one more exists. */
  public record Grant(int granted, long retryAfterMs) implements Serializable {}

  /** The bucket after a lease and what it granted; {@code fullInMs} is when it would be full again. */
  public record Taken(SendBucket bucket, Grant grant, long fullInMs) {}

  /**
   * The refill arithmetic of every token bucket in Courier (this one, and the per-connection
   * frame and byte buckets): {@code tokens} after {@code elapsedMs} at {@code ratePerS}, capped at {@code burst}.
   */
  public static double refilled(double tokens, long elapsedMs, double ratePerS, double burst) {
    return Math.min(burst, tokens + elapsedMs * ratePerS / 1000.0);
  }

  /** Takes up to {@code want} tokens from {@code current} (null: full) at {@code nowMs}. */
  public static Taken take(SendBucket current, long nowMs, double ratePerS, double burst, int want) {
    double tokens;
    if (current == null) {
      tokens = burst;
    } else {
      // A clock that went back (another member took over the partition) refills nothing.
      tokens = refilled(current.tokens(), Math.max(0, nowMs - current.atMs()), ratePerS, burst);
    }
    int granted = (int) Math.max(0, Math.min(want, Math.floor(tokens)));
    tokens -= granted;
    long retryAfterMs = 0;
    if (granted < want) {
      retryAfterMs = (long) Math.ceil((1 - tokens) * 1000.0 / ratePerS);
    }
    long fullInMs = (long) Math.ceil((burst - tokens) * 1000.0 / ratePerS);
    return new Taken(new SendBucket(tokens, nowMs), new Grant(granted, Math.max(0, retryAfterMs)), fullInMs);
  }
}
