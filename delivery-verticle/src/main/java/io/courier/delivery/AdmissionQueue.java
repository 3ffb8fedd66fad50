package io.courier.delivery;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Runs at most {@code maxInFlight} jobs at once, the rest in arrival order; a job still waiting at
 * its deadline is failed without being run. Room sends go through one per delivery verticle: a room
 * send is a lot of work, and when more arrive than the store can write, running them all at once
 * would make every one of them slow enough to time out (and be resent by its client, adding work),
 * while running a few at a time lets those finish. A job whose caller has already given up is not
 * worth starting. Not thread-safe: used on one verticle's context.
 */
final class AdmissionQueue {
  /** A job was still waiting when its caller's deadline passed; it was not run. */
  static final class Expired extends RuntimeException {
    Expired(long waitedMs) {
      super("waited " + waitedMs + " ms for its turn; its caller has given up", null, false, false);
    }
  }

  private record Job<T>(Supplier<Future<T>> work, Promise<T> done, long enqueuedAt, long deadline) {}

  private final int maxInFlight;
  private final LongSupplier clock;
  private final ArrayDeque<Job<?>> waiting = new ArrayDeque<>();
  private int inFlight;

  /** @param clock milliseconds, e.g. System::currentTimeMillis */
  AdmissionQueue(int maxInFlight, LongSupplier clock) {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be at least 1");
    }
    this.maxInFlight = maxInFlight;
    this.clock = clock;
  }

  /** Runs {@code work} now or when a place frees up, unless {@code deadline} (clock ms) passes first. */
  <T> Future<T> submit(Supplier<Future<T>> work, long deadline) {
    Promise<T> done = Promise.promise();
    waiting.add(new Job<>(work, done, clock.getAsLong(), deadline));
    pump();
    return done.future();
  }

  int inFlight() {
    return inFlight;
  }

  int waiting() {
    return waiting.size();
  }

  private void pump() {
    while (inFlight < maxInFlight && !waiting.isEmpty()) {
      start(waiting.poll());
    }
  }

  private <T> void start(Job<T> job) {
    long now = clock.getAsLong();
    if (now > job.deadline()) {
      job.done().fail(new Expired(now - job.enqueuedAt()));
      return;
    }
    inFlight++;
    Future<T> running;
    try {
      running = job.work().get();
    } catch (RuntimeException e) {
      running = Future.failedFuture(e);
    }
    running.onComplete(ar -> {
      inFlight--;
      job.done().handle(ar);
      pump();
    });
  }
}
