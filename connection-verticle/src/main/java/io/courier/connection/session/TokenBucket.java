package io.courier.connection.session;


/**
 * A token bucket: refills at {@code ratePerS} up to {@code burst}. A cost is admitted when the
 * bucket holds at least {@code min(cost, burst)} tokens, and then taken whole, so the bucket may
 * go below zero: a single cost larger than the burst still passes once the bucket is full, and
 * the debt keeps the average rate. Plain class, confined to one thread; time is passed in.
 *
 * <p>Mutable, unlike the cluster-wide {@link SendBucket} (an immutable value stored in a Hazelcast
 * map), because it is consulted for every inbound frame and a new value per frame is garbage on the
 * hottest path; the two share the refill arithmetic ({@link SendBucket#refilled}).
 */
final class TokenBucket {
  private final double ratePerS;
  private final double burst;
  private double tokens;
  private long at;

  TokenBucket(double ratePerS, double burst, long nowMs) {
    if (!(ratePerS > 0) || !(burst >= 1)) {
      throw new IllegalArgumentException("rate must be > 0 and burst >= 1");
    }
    this.ratePerS = ratePerS;
    this.burst = burst;
    this.tokens = burst;
    this.at = nowMs;
  }

  /** True if {@code cost} fits now; the caller then {@link #take}s it. */
  boolean fits(double cost, long nowMs) {
    refill(nowMs);
    return tokens >= Math.min(cost, burst);
  }

  void take(double cost) {
    tokens -= cost;
  }

  double tokens(long nowMs) {
    refill(nowMs);
    return tokens;
  }

  private void refill(long nowMs) {
    if (nowMs > at) {
      tokens = SendBucket.refilled(tokens, nowMs - at, ratePerS, burst);
      at = nowMs;
    }
  }
}
