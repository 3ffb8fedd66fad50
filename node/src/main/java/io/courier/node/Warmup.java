package io.courier.node;

import io.courier.cluster.FreePorts;
import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The warm-up before a node starts ({@code COURIER_WARMUP_MS}): a fresh JVM interprets the hot path and
 * compiles it under load, so a node that meets a reconnect wave right after a (rolling) restart falls
 * behind for tens of seconds. Before the node joins its cluster, opens its port or reports ready, the
 * warm-up starts a throwaway node of the same code in this JVM (loopback only, a cluster of its own
 * with a random name, its own random token secret, the Hazelcast store, its own metrics registry) and
 * drives it with {@link WarmupLoad}: real WebSocket clients through handshake, send, store, push, ack
 * and sync. The JIT compiles the code, not the instance, so the real node starts with it compiled;
 * and because nothing is shared with the real node, the warm-up leaves nothing behind: no presence,
 * inbox, dedupe or membership entry, no metric of the real node's, no cluster member. Then the
 * throwaway node is closed (its Hazelcast member shut down) and the real node starts.
 *
 * A warm-up that fails only logs a warning: it must never stop a node from starting.
 */
final class Warmup {
  /** The throwaway node's id starts with this; its INFO lines are dropped ({@link WarmupLogFilter}). */
  static final String NODE_PREFIX = "warmup-";
  private static final Logger LOG = LoggerFactory.getLogger(Warmup.class);
  /** Upper bound of the setting: a restart should not wait longer than a minute for it. */
  static final long MAX_MS = 60_000;
  /** Beyond the traffic time, what the throwaway node's start and stop may take before the warm-up is abandoned. */
  private static final long OVERHEAD_LIMIT_MS = 60_000;

  /** What the warm-up did; {@code ran} is false when it was off or failed ({@code note} says why). */
  record Result(boolean ran, long connects, long sent, long confirmed, long delivered, long elapsedMs, String note) {
    static Result off() {
      return new Result(false, 0, 0, 0, 0, 0, "off");
    }
  }

  private Warmup() {}

  /** Refuses a value outside 0-{@link #MAX_MS}, with the setting's name. */
  static long checkSettings(CourierConfig cfg) {
    long ms = cfg.getLong(ConfigKeys.WARMUP_MS);
    if (ms < 0 || ms > MAX_MS) {
      throw new IllegalArgumentException(ConfigKeys.WARMUP_MS.env() + " must be 0-" + MAX_MS + ", got " + ms);
    }
    return ms;
  }

  /**
   * Runs the warm-up for {@code real}'s node; never fails. Completes on a thread of its own, never on
   * one of the throwaway node's (closed by then).
   */
  static Future<Result> run(CourierConfig real) {
    long ms = real.getLong(ConfigKeys.WARMUP_MS);
    if (ms <= 0) {
      return Future.succeededFuture(Result.off());
    }
    long started = System.nanoTime();
    Promise<Result> outcome = Promise.promise();
    CourierConfig cfg;
    String secret;
    try {
      secret = randomSecret();
      cfg = throwawayConfig(real, secret);
    } catch (RuntimeException e) {
      return Future.succeededFuture(failed(e, started));
    }
    LOG.atInfo().addKeyValue("nodeId", real.get(ConfigKeys.NODE_ID))
        .addKeyValue("warmupNodeId", cfg.get(ConfigKeys.NODE_ID)).addKeyValue("ms", ms).log("warm-up starting");
    // Abandoned when the throwaway node's start or stop hangs: the real node starts anyway.
    ScheduledExecutorService guard = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "courier-warmup");
      t.setDaemon(true);
      return t;
    });
    ScheduledFuture<?> timeout = guard.schedule(() -> outcome.tryComplete(
        failed(new IllegalStateException("did not finish in time"), started)), ms + OVERHEAD_LIMIT_MS, TimeUnit.MILLISECONDS);
    CourierNode.start(cfg).onComplete(ar -> {
      if (ar.failed()) {
        completeOffThread(guard, outcome, failed(ar.cause(), started));
        return;
      }
      CourierNode node = ar.result();
      if (outcome.future().isComplete()) {
        node.closeNow(); // abandoned while it started: nothing may stay running
        return;
      }
      WarmupLoad.run(node.vertx(), node.port(), secret, ms)
          .transform(load -> node.closeNow().transform(closed -> {
            Result r = load.succeeded()
                ? new Result(true, load.result().connects.sum(), load.result().sent.sum(), load.result().confirmed.sum(),
                    load.result().delivered.sum(), elapsedMs(started), closed.succeeded() ? "" : "close: " + closed.cause())
                : failed(load.cause(), started);
            completeOffThread(guard, outcome, r);
            return Future.succeededFuture();
          }));
    });
    return outcome.future().onComplete(ar -> {
      // Cancelled, not left to fire: a shut-down executor still runs its delayed tasks. Not shutdownNow:
      // this may run on the guard's thread, which goes on to start the node and must not be interrupted.
      timeout.cancel(false);
      guard.shutdown();
      Result r = ar.result();
      LOG.atInfo().addKeyValue("nodeId", real.get(ConfigKeys.NODE_ID)).addKeyValue("ran", r.ran())
          .addKeyValue("connects", r.connects()).addKeyValue("sent", r.sent()).addKeyValue("confirmed", r.confirmed())
          .addKeyValue("delivered", r.delivered()).addKeyValue("elapsedMs", r.elapsedMs())
          .addKeyValue("note", r.note()).log("warm-up done");
    });
  }

  /**
   * Completes the warm-up on the guard's thread, off the closed node's threads: the real node's start
   * continues from there. After a timeout the outcome is complete and the guard shut down already.
   */
  private static void completeOffThread(ScheduledExecutorService guard, Promise<Result> outcome, Result r) {
    try {
      guard.execute(() -> outcome.tryComplete(r));
    } catch (RejectedExecutionException timedOutBefore) {
      // the real node has started without waiting for this
    }
  }

  /**
   * The throwaway node's settings: defaults, loopback ports of its own, a cluster no one else joins,
   * the Hazelcast store (never the real node's Redis), and the real node's instance counts and
   * Hazelcast XML so the same code runs on as many event loops.
   */
  static CourierConfig throwawayConfig(CourierConfig real, String secret) {
    String loopback = "127.0.0.1";
    return CourierConfig.defaults()
        .with(ConfigKeys.NODE_ID, NODE_PREFIX + UUID.randomUUID().toString().substring(0, 8))
        .with(ConfigKeys.VERTICLES, CourierNode.CONNECTION + "," + CourierNode.DELIVERY + "," + CourierNode.PRESENCE)
        .with(ConfigKeys.HOST, loopback)
        .with(ConfigKeys.PORT, FreePorts.pick(loopback))
        .with(ConfigKeys.CLUSTER_NAME, "courier-warmup-" + UUID.randomUUID())
        .with(ConfigKeys.CLUSTER_HOST, loopback)
        .with(ConfigKeys.CLUSTER_PORT, FreePorts.pick(loopback))
        .with(ConfigKeys.CLUSTER_CONFIG, real.get(ConfigKeys.CLUSTER_CONFIG))
        .with(ConfigKeys.JWT_ALGORITHMS, "HS256")
        .with(ConfigKeys.JWT_SECRET, secret)
        // The clients send no Origin; a list here only keeps the node from warning about an empty one.
        .with(ConfigKeys.ALLOWED_ORIGINS, "http://" + loopback)
        .with(ConfigKeys.GATEWAY_INSTANCES, real.get(ConfigKeys.GATEWAY_INSTANCES))
        .with(ConfigKeys.DELIVERY_INSTANCES, real.get(ConfigKeys.DELIVERY_INSTANCES))
        .with(ConfigKeys.STORE, "hazelcast")
        .with(ConfigKeys.WARMUP_MS, 0);
  }

  private static String randomSecret() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static Result failed(Throwable cause, long started) {
    LOG.atWarn().addKeyValue("error", String.valueOf(cause)).log("warm-up failed; the node starts without it");
    return new Result(false, 0, 0, 0, 0, elapsedMs(started), String.valueOf(cause));
  }

  private static long elapsedMs(long started) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
  }
}
