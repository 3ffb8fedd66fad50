package io.courier.client;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waiting in tests: always on a condition, always with a deadline. */
final class Await {
  static final Duration DEFAULT = Duration.ofSeconds(10);

  private Await() {}

  static void until(String what, BooleanSupplier condition) {
    until(what, DEFAULT, condition);
  }

  static void until(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for: " + what);
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  /** Whether {@code condition} holds within {@code timeout} (no failure when it does not). */
  static boolean within(Duration timeout, BooleanSupplier condition) {
    try {
      until("condition", timeout, condition);
      return true;
    } catch (AssertionError notYet) {
      return false;
    }
  }

  static <T> T result(Future<T> f) {
    return f.timeout(DEFAULT.toMillis(), TimeUnit.MILLISECONDS).await();
  }

  static <T> Throwable failure(Future<T> f) {
    try {
      f.timeout(DEFAULT.toMillis(), TimeUnit.MILLISECONDS).await();
    } catch (Throwable t) {
      return t;
    }
    throw new AssertionError("expected a failure, got success");
  }

  static <T> T value(String what, Supplier<T> s) {
    until(what, () -> s.get() != null);
    return s.get();
  }
}
