package io.courier.delivery.store;

import io.courier.cluster.RedisEndpoint;
import io.courier.delivery.store.redis.InboxReplies;
import io.courier.delivery.store.redis.InboxScripts;
import io.courier.delivery.store.redis.PipelinedRedis;
import io.courier.delivery.store.redis.RedisKeys;
import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.protocol.InboxMessage;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.List;
import java.util.function.Supplier;

/**
 * Inboxes in Redis: per user a meta hash (epoch, last seq), a stream of messages with entry ids
 * {@code <seq>-0}, and one string per remembered (sender, id); see {@link RedisKeys}. Every call is
 * one script ({@link InboxScripts}), so it is atomic and one round trip.
 *
 * <p>Calls go over a few long-lived, pipelined connections ({@link PipelinedRedis}, {@code
 * COURIER_REDIS_POOL} of them, each carrying up to {@code COURIER_REDIS_MAX_IN_FLIGHT} calls at once).
 * A lost connection fails the calls it carried as {@link StoreUnavailableException} and is reopened;
 * while Redis is unreachable calls fail fast, and once a connection is back calls succeed again.
 * Durability is Redis's own. A Redis that comes back without an inbox's meta gives that inbox a new
 * epoch. But a Redis that comes back having lost only its latest writes (AOF with the default
 * {@code appendfsync everysec} loses up to about a second on a crash; an asynchronous replica
 * promoted after a failover loses its lag) has meta and stream rolled back together, which no
 * script can tell from a quiet inbox: acknowledged messages are gone and their seqs are given out
 * again in the same epoch. Run Redis with {@code appendfsync always} and {@code maxmemory-policy
 * noeviction}, without a failover to asynchronous replicas, when that matters; {@link
 * #configurationWarnings} reports each of these at start.
 */
public final class RedisMessageStore implements MessageStore {
  /** Expired entries dropped per script call; more are dropped by later calls. */
  private static final int TRIM_BUDGET = 512;

  private final Vertx vertx;
  private final PipelinedRedis redis;
  private final StoreSettings settings;
  private final CourierConfig cfg;

  /** Starts opening the connections on the caller's context; calls made meanwhile wait for them. */
  public RedisMessageStore(Vertx vertx, CourierConfig cfg) {
    this.vertx = vertx;
    this.settings = StoreSettings.from(cfg);
    this.cfg = cfg;
    RedisSettings redisSettings = RedisSettings.from(cfg);
    this.redis = new PipelinedRedis(vertx, redisSettings.url(), redisSettings.connections(),
        redisSettings.maxInFlight(), cfg.get(ConfigKeys.NODE_ID), net -> RedisEndpoint.configure(net, cfg));
  }

  /**
   * Fails when the first connection attempt shows a configuration error (credentials refused, TLS
   * handshake failed), with a message naming the setting; an unreachable Redis is an outage the
   * node rides out, so that succeeds.
   */
  @Override
  public Future<Void> started() {
    return redis.firstAttempt().recover(err -> {
      String failure = RedisEndpoint.startFailure(err, cfg);
      return failure == null ? Future.succeededFuture() : Future.failedFuture(new IllegalStateException(failure));
    });
  }

  @Override
  public Future<AppendResult> append(String recipient, InboxMessage draft) {
    Context ctx = vertx.getOrCreateContext();
    return StoreArgs.checkAppend(recipient, draft).compose(v -> {
      long now = System.currentTimeMillis();
      return call(() -> InboxScripts.APPEND.run(redis, appendKeys(recipient, draft), appendArgs(draft, now)), ctx,
          "append").map(InboxReplies::append);
    });
  }

  /**
   * One pipelined batch of append scripts, one per recipient (each inbox stays one atomic script
   * in its own hash slot). The batch succeeds or fails as a whole as far as this client can tell:
   * on failure every recipient is reported failed, though some scripts may have run; a repeat
   * answers those dup.
   */
  @Override
  public Future<BatchAppendResult> appendAll(List<String> recipients, InboxMessage draft) {
    Context ctx = vertx.getOrCreateContext();
    return StoreArgs.checkAppendAll(recipients, draft).compose(v -> {
      long now = System.currentTimeMillis();
      List<List<String>> keys = new java.util.ArrayList<>(recipients.size());
      List<List<String>> args = new java.util.ArrayList<>(recipients.size());
      for (String r : recipients) {
        keys.add(appendKeys(r, draft));
        args.add(appendArgs(draft, now));
      }
      Future<List<Response>> replies = StoreCalls.onContext(
          () -> InboxScripts.APPEND.runAll(redis, keys, args).toCompletionStage(), ctx, settings.opTimeoutMs(),
          "redis fan-out append");
      return replies.map(rs -> {
        List<BatchAppendResult.Appended> appended = new java.util.ArrayList<>(rs.size());
        for (int i = 0; i < rs.size(); i++) {
          appended.add(new BatchAppendResult.Appended(recipients.get(i), InboxReplies.append(rs.get(i))));
        }
        return new BatchAppendResult(appended, java.util.Map.of());
      }).otherwise(err -> {
        java.util.Map<String, Throwable> failed = new java.util.HashMap<>();
        recipients.forEach(r -> failed.put(r, err));
        return new BatchAppendResult(List.of(), failed);
      });
    });
  }

  /** The APPEND script's keys for {@code draft} to {@code recipient} (package-private: tests run older scripts with them). */
  static List<String> appendKeys(String recipient, InboxMessage draft) {
    return List.of(RedisKeys.meta(recipient), RedisKeys.inbox(recipient),
        RedisKeys.dedupe(recipient, draft.from(), draft.id()));
  }

  /** The APPEND script's arguments under this store's settings. */
  List<String> appendArgs(InboxMessage draft, long now) {
    boolean room = draft.room() != null;
    return List.of(Epochs.next(), draft.id(), draft.from(), room ? "r" : "t",
        room ? draft.room() : draft.to(), draft.bodyJson(), Long.toString(draft.ts()),
        positive(settings.dedupeWindowMs()), positive(settings.maxMessages()), cutoff(now),
        Integer.toString(TRIM_BUDGET), positive(settings.maxAgeMs()), positive(settings.maxBytes()));
  }

  @Override
  public Future<ReadResult> read(String recipient, long after, int limit) {
    Context ctx = vertx.getOrCreateContext();
    return StoreArgs.checkRead(recipient, after, limit).compose(v -> {
      List<String> keys = readKeys(recipient);
      List<String> args = readArgs(after, limit, System.currentTimeMillis());
      return call(() -> InboxScripts.READ.run(redis, keys, args), ctx, "read").map(r -> InboxReplies.read(recipient, r));
    });
  }

  /** The READ script's keys. */
  static List<String> readKeys(String recipient) {
    return List.of(RedisKeys.meta(recipient), RedisKeys.inbox(recipient));
  }

  /** The READ script's arguments under this store's settings. */
  List<String> readArgs(long after, int limit, long now) {
    return List.of(Epochs.next(), Long.toString(after), Integer.toString(limit), cutoff(now),
        Integer.toString(TRIM_BUDGET));
  }

  /** The scripts take 0 for "no limit". */
  private static String positive(long v) {
    return Long.toString(Math.max(0, v));
  }

  private String cutoff(long now) {
    return settings.maxAgeMs() > 0 ? Long.toString(settings.ageCutoff(now)) : "0";
  }

  private Future<Response> call(Supplier<Future<Response>> send, Context ctx, String what) {
    return StoreCalls.onContext(() -> send.get().toCompletionStage(), ctx, settings.opTimeoutMs(), "redis " + what);
  }

  /**
   * Asks Redis how it is deployed, for settings under which an acknowledged message can be lost
   * without a word ({@link RedisDeploymentChecks}). Each question is asked on its own: managed Redis
   * often refuses CONFIG, and what cannot be asked is not reported.
   */
  @Override
  public Future<List<String>> configurationWarnings() {
    Future<java.util.Map<String, String>> persistence = configGet("append*");
    Future<java.util.Map<String, String>> memory = configGet("maxmemory*");
    Future<java.util.Map<String, String>> replicas = configGet("min-replicas-*");
    Future<String> replication = redis.send(Request.cmd(Command.INFO).arg("replication")).map(r -> r.toString())
        .otherwise((String) null);
    return Future.join(persistence, memory, replicas, replication).transform(ignored -> Future.succeededFuture(
        RedisDeploymentChecks.warnings(persistence.result(), memory.result(), replicas.result(), replication.result())));
  }

  /** CONFIG GET {@code pattern} as a map; null when Redis refuses or does not answer. */
  private Future<java.util.Map<String, String>> configGet(String pattern) {
    return redis.send(Request.cmd(Command.CONFIG).arg("GET").arg(pattern)).map(r -> {
      // RESP3 answers a map, RESP2 a flat list of name/value pairs.
      java.util.Map<String, String> conf = new java.util.HashMap<>();
      if (r.isMap()) {
        for (String k : r.getKeys()) {
          conf.put(k, r.get(k).toString());
        }
      } else {
        for (int i = 0; i + 1 < r.size(); i += 2) {
          conf.put(r.get(i).toString(), r.get(i + 1).toString());
        }
      }
      return conf;
    }).otherwise((java.util.Map<String, String>) null);
  }

  /** The connections, shared with the {@link RedisRoomStore} of the same verticle. */
  public PipelinedRedis client() {
    return redis;
  }

  @Override
  public Future<Void> close() {
    return redis.close();
  }
}
