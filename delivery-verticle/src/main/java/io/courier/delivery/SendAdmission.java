package io.courier.delivery;

import io.courier.delivery.store.StoreOverloadedException;
import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import java.util.function.LongSupplier;

/**
 * Admission control for point-to-point sends: how many appends one delivery instance lets wait on
 * its store at once. Past the store's capacity, every send queued beyond it waits longer than the
 * last, until callers time out and clients resend what may already be stored: the load grows as
 * the store falls behind, and the node collapses (docs/benchmarks.md measured it with Redis). So a
 * send is refused at once ({@code overloaded}, resend later with backoff) when taking it would make
 * it wait longer than about {@code targetMs}.
 *
 * <p>The bound is the most the store answered in any one second of the last ten, scaled to
 * {@code targetMs} (Little's law: waiting ≈ in flight / rate), and never below {@code minInFlight}.
 * The best recent second, not the last one: a bound that follows the rate it lets through
 * collapses, since when answers slow down for another reason (the node's own CPU busy with a
 * reconnect wave), a smaller bound lets fewer through, which makes the next bound smaller still.
 * And the bound only refuses while the store also shows it is behind: its recent answers took more
 * than half of {@code targetMs}, or none came for {@code targetMs} while calls wait (a stalled
 * store). A burst the store absorbs quickly is therefore taken whole.
 *
 * <p>Thread-safe: sends arrive on the contexts of this node's gateways. Plain, so it is tested
 * without Vert.x on a fake clock.
 */
final class SendAdmission {
  /**
   * A send refused because the store is behind; answered {@code overloaded}, nothing was stored.
   * Its text is built only when read (refusals come by the thousand, their log lines are throttled).
   */
  static final class Behind extends StoreOverloadedException {
    private static final long serialVersionUID = 1L;
    private final long waiting;
    private final long peak;
    private final long bound;

    Behind(long waiting, long peak, long bound) {
      super(null);
      this.waiting = waiting;
      this.peak = peak;
      this.bound = bound;
    }

    @Override
    public String getMessage() {
      return waiting + " sends waiting on the store, which answered at most " + peak
          + " a second over the last 10 s (bound " + bound + ")";
    }

    /** Where a refusal is made is always the same place. */
    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }

  /** Ten full one-second buckets make the window of the peak; the eleventh is the one filling now. */
  private static final int BUCKETS = 11;
  private static final long BUCKET_NANOS = 1_000_000_000L;
  /** Weight of the newest answer's latency in the running average. */
  private static final double ALPHA = 0.2;

  private final long targetNanos;
  private final int minInFlight;
  private final LongSupplier nanoClock;
  /** Answers per second, a ring; {@code bucketStart} is the current (filling) one's start. */
  private final int[] answered = new int[BUCKETS];
  private int bucket;
  private long bucketStart;
  private int inFlight;
  private double latencyNanos;
  private long lastAnswerAt;

  /**
   * @param targetMs    longest wait behind the store a send is taken for; 0 or less: admission off
   * @param minInFlight sends always taken while fewer than this many wait, whatever the rate says
   * @param nanoClock   e.g. System::nanoTime
   */
  SendAdmission(long targetMs, int minInFlight, LongSupplier nanoClock) {
    if (minInFlight < 1) {
      throw new IllegalArgumentException("minInFlight must be at least 1");
    }
    this.targetNanos = targetMs <= 0 ? 0 : targetMs * 1_000_000L;
    this.minInFlight = minInFlight;
    this.nanoClock = nanoClock;
    this.bucketStart = nanoClock.getAsLong();
    this.lastAnswerAt = bucketStart;
  }

  /** From COURIER_STORE_ADMISSION_MS and COURIER_STORE_ADMISSION_MIN; a bad value stops the start, naming the setting. */
  static SendAdmission from(CourierConfig cfg) {
    long min = cfg.getLong(ConfigKeys.STORE_ADMISSION_MIN);
    if (min < 1 || min > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(ConfigKeys.STORE_ADMISSION_MIN.env() + " must be at least 1, got " + min);
    }
    return new SendAdmission(cfg.getLong(ConfigKeys.STORE_ADMISSION_MS), (int) min, System::nanoTime);
  }

  /**
   * Takes a send, or refuses it. Returns its start time (pass it to {@link #done}), or
   * {@link Long#MIN_VALUE} when it is refused.
   */
  synchronized long admit() {
    long now = nanoClock.getAsLong();
    if (targetNanos > 0 && inFlight >= minInFlight) {
      roll(now);
      if (inFlight >= boundNow() && behind(now)) {
        return Long.MIN_VALUE;
      }
    }
    if (inFlight == 0) {
      // Nothing waited: the time since the last answer is idleness, not a stall.
      lastAnswerAt = now;
    }
    inFlight++;
    return now;
  }

  /** A send taken by {@link #admit} was answered by the store (successfully or not). */
  synchronized void done(long startedAt) {
    long now = nanoClock.getAsLong();
    roll(now);
    inFlight--;
    answered[bucket]++;
    long latency = Math.max(0, now - startedAt);
    latencyNanos = latencyNanos == 0 ? latency : latencyNanos + ALPHA * (latency - latencyNanos);
    lastAnswerAt = now;
  }

  synchronized int inFlight() {
    return inFlight;
  }

  /** The in-flight bound now: the best second of the last ten scaled to the target, at least the minimum. */
  synchronized long bound() {
    roll(nanoClock.getAsLong());
    return boundNow();
  }

  /** The refusal to answer now, with what the store shows (just after {@link #admit} refused: no roll). */
  synchronized Behind refusal() {
    return new Behind(inFlight, peakPerSecond(), boundNow());
  }

  /** {@link #bound} on the ring as it stands. */
  private long boundNow() {
    return Math.max(minInFlight, peakPerSecond() * targetNanos / 1_000_000_000L);
  }

  /** The most answers in one of the ten full seconds before the current one. */
  private long peakPerSecond() {
    long peak = 0;
    for (int i = 0; i < BUCKETS; i++) {
      if (i != bucket) {
        peak = Math.max(peak, answered[i]);
      }
    }
    return peak;
  }

  private boolean behind(long now) {
    return latencyNanos > targetNanos / 2 || now - lastAnswerAt > targetNanos;
  }

  /** Moves the ring to the bucket holding {@code now}, clearing buckets that passed without answers. */
  private void roll(long now) {
    long steps = (now - bucketStart) / BUCKET_NANOS;
    if (steps <= 0) {
      return;
    }
    for (long i = 0; i < Math.min(steps, BUCKETS); i++) {
      bucket = (bucket + 1) % BUCKETS;
      answered[bucket] = 0;
    }
    bucketStart += steps * BUCKET_NANOS;
  }
}
