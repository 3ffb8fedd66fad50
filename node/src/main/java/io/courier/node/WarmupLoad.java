package io.courier.node;

import io.courier.tokens.TokenIssuer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The warm-up's traffic: {@link #USERS} loopback users connect at once (a small reconnect wave), chat
 * with each other through the real send/ack path for the given time (each reconnects once early on:
 * handshake and sync again), then close; past that time they go on until each of them has had a send
 * confirmed and a message delivered. It runs against the throwaway warm-up node only ({@link Warmup}).
 */
final class WarmupLoad {
  /** Enough users that the per-user send allowance never caps what one core can do. */
  static final int USERS = 200;
  /** How long the users wait at the end for their sends' answers before closing. */
  private static final long STOP_GRACE_MS = 2_000;
  /** How often a warm-up past its time looks whether every user has done the whole path once. */
  private static final long CHECK_MS = 50;
  /**
   * How long past its time the warm-up waits for that at most (then it stops anyway, so the throwaway
   * node is always closed); well within Warmup's own timeout.
   */
  private static final long WARM_WAIT_LIMIT_MS = 30_000;

  static final class Counts {
    final LongAdder connects = new LongAdder();
    final LongAdder connectFailures = new LongAdder();
    final LongAdder sent = new LongAdder();
    final LongAdder confirmed = new LongAdder();
    final LongAdder delivered = new LongAdder();
    final LongAdder errors = new LongAdder();
    /** Users that have had a send confirmed and a message delivered. */
    final LongAdder warmUsers = new LongAdder();
  }

  private WarmupLoad() {}

  /** Runs the traffic against the node on {@code port} (tokens signed with {@code secret}) for {@code durationMs}. */
  static Future<Counts> run(Vertx vertx, int port, String secret, long durationMs) {
    Counts counts = new Counts();
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(2 * USERS + 16));
    WarmupUser[] users = new WarmupUser[USERS];
    Duration ttl = Duration.ofMillis(durationMs).plusMinutes(10);
    for (int i = 0; i < USERS; i++) {
      String token = TokenIssuer.issue(secret, WarmupUser.userId(i), ttl, List.of());
      users[i] = new WarmupUser(i, token, vertx.getOrCreateContext(), client, port, users, counts);
    }
    Promise<Counts> done = Promise.promise();
    long giveUpAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(durationMs + WARM_WAIT_LIMIT_MS);
    vertx.setTimer(Math.max(1, durationMs), t -> stopOnceWarm(vertx, client, users, counts, giveUpAt, done));
    for (WarmupUser u : users) {
      u.open();
    }
    return done.future();
  }

  /**
   * Stops the users once each has had a send confirmed and a message delivered: however slow the
   * core, the warm-up runs the whole path at least once per user (Warmup's own timeout bounds it).
   */
  private static void stopOnceWarm(Vertx vertx, WebSocketClient client, WarmupUser[] users, Counts counts,
                                   long giveUpAt, Promise<Counts> done) {
    if (counts.warmUsers.sum() < users.length && System.nanoTime() < giveUpAt) {
      vertx.setTimer(CHECK_MS, t -> stopOnceWarm(vertx, client, users, counts, giveUpAt, done));
      return;
    }
    List<Future<Void>> closed = new ArrayList<>();
    for (WarmupUser u : users) {
      closed.add(u.stop(STOP_GRACE_MS));
    }
    Future.join(closed).onComplete(ar -> client.close().onComplete(c -> done.complete(counts)));
  }
}
