package io.courier.delivery.store.redis;

import io.courier.cluster.RedisEndpoint;
import io.courier.delivery.store.StoreUnavailableException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fixed number of long-lived Redis connections, used round-robin, each pipelined: a connection
 * carries many commands at once, and Redis answers them in order. The client keeps one queue of
 * waiting replies per connection, bounded by {@code maxInFlight}; a command that finds it full
 * fails at once ("Redis waiting queue is full"), so the bound is the store's admission limit.
 * A connection per command from a pool, as before, capped concurrency at the pool size and failed
 * everything once the pool's wait queue filled.
 *
 * <p>Failures: a connection that closes or fails is dropped (the client fails the commands it
 * carried) and opened again at once, then with backoff ({@link #backoffMs}) while that fails.
 * Calls go to connections that are up. With none up, a call waits for an attempt already under
 * way (bounded by {@link #OPEN_TIMEOUT_MS}), otherwise it fails at once. Every failure here is a
 * {@link StoreUnavailableException} or a client error that the stores turn into one.
 *
 * <p>Connections are opened and their events handled on the context that created this object;
 * {@link #send} and {@link #batch} may be called from any thread.
 */
public final class PipelinedRedis {
  private static final Logger LOG = LoggerFactory.getLogger(PipelinedRedis.class);
  static final int CONNECT_TIMEOUT_MS = 2000;
  /** An attempt (TCP connect plus the HELLO handshake) that takes longer is given up. */
  static final long OPEN_TIMEOUT_MS = 3000;
  static final long FIRST_BACKOFF_MS = 100;
  static final long MAX_BACKOFF_MS = 1000;

  private final Vertx vertx;
  private final Context context;
  private final Redis client;
  private final Slot[] slots;
  private final int maxInFlight;
  private final String nodeId;
  private final AtomicInteger next = new AtomicInteger();
  private volatile boolean closed;
  private volatile String lastError = "not connected yet";
  private final String url;
  /** The first connection's first attempt: how a start learns that Redis refuses this node. */
  private Future<RedisConnection> firstAttempt;

  /**
   * Starts opening the connections; calls made before they are up wait for them.
   *
   * @param connections connections kept open (each one carries up to {@code maxInFlight} commands)
   * @param maxInFlight commands sent on one connection and not yet answered
   * @param nodeId      for the log lines
   */
  public PipelinedRedis(Vertx vertx, String url, int connections, int maxInFlight, String nodeId) {
    this(vertx, url, connections, maxInFlight, nodeId, net -> { });
  }

  /**
   * As above, with {@code net} adjusting the client's socket options (TLS for {@code rediss://}).
   * Error texts kept and logged here have the URL's password replaced by {@code ***}.
   */
  public PipelinedRedis(Vertx vertx, String url, int connections, int maxInFlight, String nodeId,
                        java.util.function.Consumer<io.vertx.core.net.NetClientOptions> net) {
    if (connections < 1 || maxInFlight < 1) {
      throw new IllegalArgumentException("connections and maxInFlight must be >= 1");
    }
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.maxInFlight = maxInFlight;
    this.nodeId = nodeId;
    RedisOptions options = new RedisOptions()
        .setConnectionString(url)
        // The pool only hands out the connections kept here; they are never returned to it.
        .setMaxPoolSize(connections)
        .setMaxPoolWaiting(connections)
        .setPoolRecycleTimeout(-1)
        .setMaxWaitingHandlers(maxInFlight);
    options.getNetClientOptions().setConnectTimeout(CONNECT_TIMEOUT_MS);
    net.accept(options.getNetClientOptions());
    this.url = url;
    this.client = Redis.createClient(vertx, options);
    this.slots = new Slot[connections];
    for (int i = 0; i < connections; i++) {
      slots[i] = new Slot(i);
      // Set now, so calls made before the context runs the attempt wait for it.
      Promise<RedisConnection> attempt = Promise.promise();
      slots[i].opening = attempt.future();
      if (i == 0) {
        firstAttempt = attempt.future();
      }
      Slot s = slots[i];
      context.runOnContext(v -> open(s, attempt));
    }
  }

  /** Completes when the first connection's first attempt has ended, with its outcome. */
  public Future<Void> firstAttempt() {
    return firstAttempt.mapEmpty();
  }

  /** Commands one connection carries at once; a larger {@link #batch} is sent in parts of this size. */
  public int maxInFlight() {
    return maxInFlight;
  }

  public Future<Response> send(Request request) {
    RedisConnection c = pick();
    if (c != null) {
      return c.send(request);
    }
    return waitForAttempt().compose(conn -> conn.send(request));
  }

  /**
   * Pipelined on one connection, not atomic; fails as a whole if any command fails. A batch larger
   * than {@link #maxInFlight} is sent in consecutive parts, each after the previous one was answered.
   */
  public Future<List<Response>> batch(List<Request> requests) {
    if (requests.size() <= maxInFlight) {
      return batchOnOne(requests);
    }
    List<Response> all = new ArrayList<>(requests.size());
    Future<Void> chain = Future.succeededFuture();
    for (int from = 0; from < requests.size(); from += maxInFlight) {
      List<Request> part = requests.subList(from, Math.min(requests.size(), from + maxInFlight));
      chain = chain.compose(v -> batchOnOne(part).map(rs -> {
        all.addAll(rs);
        return null;
      }));
    }
    return chain.map(all);
  }

  private Future<List<Response>> batchOnOne(List<Request> requests) {
    RedisConnection c = pick();
    if (c != null) {
      return c.batch(requests);
    }
    return waitForAttempt().compose(conn -> conn.batch(requests));
  }

  /** The next connection that is up, round-robin; null if none is. */
  private RedisConnection pick() {
    int n = slots.length;
    int start = Math.floorMod(next.getAndIncrement(), n);
    for (int i = 0; i < n; i++) {
      RedisConnection c = slots[(start + i) % n].conn;
      if (c != null) {
        return c;
      }
    }
    return null;
  }

  private Future<RedisConnection> waitForAttempt() {
    if (closed) {
      return Future.failedFuture(new StoreUnavailableException("Redis client is closed", null));
    }
    for (Slot s : slots) {
      Future<RedisConnection> opening = s.opening;
      if (opening != null) {
        return opening;
      }
    }
    return Future.failedFuture(new StoreUnavailableException(
        "no Redis connection is up (reconnecting; last error: " + lastError + ")", null));
  }

  /** On the context. Completes {@code attempt} with the connection, or fails it and schedules the next one. */
  private void open(Slot s, Promise<RedisConnection> attempt) {
    if (closed) {
      s.opening = null;
      attempt.fail(new StoreUnavailableException("Redis client is closed", null));
      return;
    }
    s.opening = attempt.future();
    long timer = vertx.setTimer(OPEN_TIMEOUT_MS, id -> failed(s, attempt,
        new java.util.concurrent.TimeoutException("no connection within " + OPEN_TIMEOUT_MS + " ms")));
    client.connect().onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.failed()) {
        failed(s, attempt, ar.cause());
        return;
      }
      RedisConnection c = ar.result();
      if (attempt.future().isComplete() || closed) {
        // Given up (timed out) or closed meanwhile: hand it back rather than keep a second one.
        c.close();
        if (!attempt.future().isComplete()) {
          s.opening = null;
          attempt.fail(new StoreUnavailableException("Redis client is closed", null));
        }
        return;
      }
      c.endHandler(v -> lost(s, c, null));
      c.exceptionHandler(err -> lost(s, c, err));
      s.conn = c;
      s.opening = null;
      // After a loss, also when the first attempt succeeds (a restarted Redis already listening):
      // every "lost; reconnecting" gets its "restored".
      if (s.failures > 0 || s.lost) {
        LOG.atInfo().addKeyValue("nodeId", nodeId).addKeyValue("connection", s.index)
            .addKeyValue("attempts", s.failures + 1).log("Redis connection restored");
      }
      s.failures = 0;
      s.lost = false;
      attempt.complete(c);
    });
  }

  private void failed(Slot s, Promise<RedisConnection> attempt, Throwable cause) {
    if (attempt.future().isComplete()) {
      return;
    }
    s.opening = null;
    if (closed) {
      attempt.fail(new StoreUnavailableException("Redis client is closed", cause));
      return;
    }
    s.failures++;
    lastError = RedisEndpoint.scrub(String.valueOf(cause), url);
    if (s.failures == 1) {
      LOG.atWarn().addKeyValue("nodeId", nodeId).addKeyValue("connection", s.index)
          .addKeyValue("error", lastError).log("cannot connect to Redis; retrying with backoff");
    }
    attempt.fail(new StoreUnavailableException("cannot connect to Redis: " + lastError, cause));
    schedule(s);
  }

  /** On the context: the connection ended or failed; the client has failed the commands it carried. */
  private void lost(Slot s, RedisConnection c, Throwable err) {
    if (err instanceof IllegalStateException && String.valueOf(err.getMessage()).startsWith("Result is already complete")) {
      // A late reply to a waiter that was already failed; the connection is still in order.
      return;
    }
    if (s.conn != c) {
      return;
    }
    s.conn = null;
    s.lost = true;
    c.close();
    if (closed) {
      return;
    }
    lastError = err == null ? "connection closed" : RedisEndpoint.scrub(String.valueOf(err), url);
    LOG.atWarn().addKeyValue("nodeId", nodeId).addKeyValue("connection", s.index).addKeyValue("error", lastError)
        .log("Redis connection lost; reconnecting");
    schedule(s);
  }

  private void schedule(Slot s) {
    if (closed) {
      return;
    }
    long delay = backoffMs(s.failures, ThreadLocalRandom.current().nextDouble());
    Promise<RedisConnection> attempt = Promise.promise();
    if (delay == 0) {
      open(s, attempt);
    } else {
      s.timer = vertx.setTimer(delay, id -> {
        s.timer = -1;
        open(s, attempt);
      });
    }
  }

  /**
   * Delay before the next attempt after {@code failures} failed ones in a row: none after a loss,
   * then 100 ms doubling up to 1 s, each spread by ±20% ({@code jitter} in [0, 1)) so that many
   * nodes do not reconnect in step.
   */
  static long backoffMs(int failures, double jitter) {
    if (failures <= 0) {
      return 0;
    }
    long base = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS << Math.min(failures - 1, 20));
    return Math.max(1, Math.round(base * (0.8 + 0.4 * jitter)));
  }

  /** Closes the connections; calls in flight fail, later calls fail at once. */
  public Future<Void> close() {
    closed = true;
    for (Slot s : slots) {
      long t = s.timer;
      if (t >= 0) {
        vertx.cancelTimer(t);
      }
    }
    return client.close();
  }

  private static final class Slot {
    final int index;
    /** The connection when it is up; read from any thread. */
    volatile RedisConnection conn;
    /** The attempt under way, if any; read from any thread. */
    volatile Future<RedisConnection> opening;
    /** Failed attempts in a row (on the context only). */
    int failures;
    /** A connection was lost and none is up again yet (on the context only). */
    boolean lost;
    volatile long timer = -1;

    Slot(int index) {
      this.index = index;
    }
  }
}
