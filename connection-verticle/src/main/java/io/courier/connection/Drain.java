package io.courier.connection;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The node-wide drain state, shared by every gateway instance of a node (they share one port, so
 * they must agree on readiness and on refusing handshakes). {@link #start()} flips the node to
 * draining once; each gateway instance then tells its clients to reconnect and closes what is left
 * at the end of the grace period. The returned future completes when every instance is empty.
 */
public final class Drain {
  /** One gateway instance's part: runs on {@link #context()}, completes when its connections are gone. */
  interface Participant {
    Context context();

    Future<Void> drain(long deadline);
  }

  private final long graceMs;
  private final List<Participant> participants = new CopyOnWriteArrayList<>();
  private final AtomicBoolean started = new AtomicBoolean();
  private final Promise<Void> done = Promise.promise();
  private volatile long deadline;

  public Drain(long graceMs) {
    if (graceMs < 0) {
      throw new IllegalArgumentException("drain grace must be >= 0 ms, got " + graceMs);
    }
    this.graceMs = graceMs;
  }

  void register(Participant p) {
    participants.add(p);
  }

  void unregister(Participant p) {
    participants.remove(p);
  }

  public boolean isDraining() {
    return started.get();
  }

  public long graceMs() {
    return graceMs;
  }

  /** Epoch ms at which the remaining connections are closed with 1012 (0 before the drain). */
  public long deadline() {
    return deadline;
  }

  /**
   * Starts the drain (idempotent: later calls return the same future). Completes when every gateway
   * instance has no connection left.
   */
  public Future<Void> start() {
    if (started.compareAndSet(false, true)) {
      deadline = System.currentTimeMillis() + graceMs;
      List<Future<Void>> parts = participants.stream().map(p -> {
        Promise<Void> part = Promise.promise();
        p.context().runOnContext(v -> p.drain(deadline).onComplete(part));
        return part.future();
      }).toList();
      Future.join(parts).<Void>mapEmpty().onComplete(done);
    }
    return done.future();
  }

  /** Completes when a drain, whoever started it, has finished. */
  public Future<Void> done() {
    return done.future();
  }

  /**
   * How long a client should wait before reconnecting: uniform over what is left of the grace
   * period, so the clients of a node come back spread out instead of in one wave.
   */
  long reconnectAfterMs(long now) {
    long left = Math.max(0, deadline - now);
    return ThreadLocalRandom.current().nextLong(left + 1);
  }

  /** Retry-After (seconds) of a refused handshake: jittered over 1-5 s, so refused clients spread too. */
  public static int retryAfterSeconds() {
    return 1 + ThreadLocalRandom.current().nextInt(5);
  }
}
