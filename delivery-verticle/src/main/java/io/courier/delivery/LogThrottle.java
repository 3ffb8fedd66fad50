package io.courier.delivery;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Lets through at most one occurrence per key and interval, and counts the ones it holds back, so
 * a failure repeated for every call under overload (a store that is down answers every send
 * unavailable) is one log line per second that says how many it stands for, not one line per call.
 * The first occurrence of a key passes at once. Held-back occurrences are reported with the next
 * one that passes; if none comes, they are not reported. Thread-safe; keys are few (reason, node),
 * and are kept.
 */
final class LogThrottle {
  private final long intervalNanos;
  private final LongSupplier nanoTime;
  private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

  /** @param nanoTime a monotonic clock in nanoseconds ({@code System::nanoTime}) */
  LogThrottle(Duration interval, LongSupplier nanoTime) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval must be > 0, got " + interval);
    }
    this.intervalNanos = interval.toNanos();
    this.nanoTime = nanoTime;
  }

  /**
   * One occurrence of {@code key}. Returns -1 if it is held back (and counted); otherwise it is to
   * be logged, and the result is how many occurrences of the key were held back since the last one
   * that was.
   */
  long admit(String key) {
    Window w = windows.computeIfAbsent(key, k -> new Window());
    long now = nanoTime.getAsLong();
    synchronized (w) {
      if (w.passedOnce && now - w.lastPassed < intervalNanos) {
        w.heldBack++;
        return -1;
      }
      long held = w.heldBack;
      w.heldBack = 0;
      w.lastPassed = now;
      w.passedOnce = true;
      return held;
    }
  }

  private static final class Window {
    boolean passedOnce;
    long lastPassed;
    long heldBack;
  }
}
