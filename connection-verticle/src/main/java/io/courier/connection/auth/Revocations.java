package io.courier.connection.auth;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.map.ExtendedMapEntry;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryEvictedListener;
import com.hazelcast.map.listener.EntryExpiredListener;
import com.hazelcast.map.listener.EntryMergedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import io.courier.cluster.HazelcastFutures;
import io.courier.cluster.Maps;
import io.courier.cluster.NodeContext;
import io.courier.cluster.RedisEndpoint;
import io.courier.protocol.Addresses;
import io.courier.protocol.ConfigKeys;
import io.courier.protocol.MetricNames;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's token revocations, one per node. The record of truth is the Hazelcast map
 * {@value Maps#REVOCATIONS} (key {@code u:<user>} / {@code j:<jti>}, value the revocation time, TTL
 * {@link #ttlMs}: the longest token lifetime plus twice the leeway plus 1 s), and with {@code COURIER_STORE=redis} also Redis
 * ({@link RedisRevocations}), which outlives a restart of the whole cluster.
 *
 * <p>Every check is answered from this node's {@link RevocationList}, never by a remote call. The
 * list is filled from the map at start and kept in step by two paths, whichever arrives first: the
 * publish on {@link Addresses#REVOCATIONS} (consumed once per node by {@link RevocationVerticle}) and
 * the map's entry listener (which also reports expiry). Each newly applied revocation is handed to
 * the sweepers, which close the matching local connections.
 */
public final class Revocations implements RevocationCheck {
  private static final Logger LOG = LoggerFactory.getLogger(Revocations.class);
  /** Retry interval of the Redis load when Redis did not answer at start. */
  static final long REDIS_RETRY_MS = 2000;
  /** How often expired revocations are dropped from the local list. */
  static final long PRUNE_MS = 60_000;

  private final Vertx vertx;
  private final String nodeId;
  private final IMap<String, Long> map;
  private final RevocationList list;
  private final RedisRevocations redis;
  private final String redisUrl;
  private final List<Consumer<Revocation>> sweepers = new CopyOnWriteArrayList<>();
  private volatile boolean loaded;
  private volatile boolean closed;
  private volatile UUID listener;
  private long pruneTimer = -1;

  private Revocations(Vertx vertx, NodeContext node, long ttlMs) {
    this.vertx = vertx;
    this.nodeId = node.nodeId();
    this.map = node.hazelcast().getMap(Maps.REVOCATIONS);
    this.list = new RevocationList(ttlMs);
    this.redis = "redis".equals(node.config().get(ConfigKeys.STORE)) ? new RedisRevocations(vertx, node.config()) : null;
    this.redisUrl = node.config().get(ConfigKeys.REDIS_URL);
  }

  /**
   * How long a revocation is kept: until no token it covers can be accepted any more. Such a token
   * was issued at or before the revocation, so its exp is at most the longest lifetime (plus the
   * leeway the lifetime check allows) later, and it is accepted up to one more leeway past its exp.
   * One second more because Hazelcast keeps expiry times in whole seconds.
   */
  public static long ttlMs(io.courier.protocol.CourierConfig cfg) {
    return (cfg.getLong(ConfigKeys.JWT_MAX_LIFETIME_S) + 2 * cfg.getLong(ConfigKeys.JWT_LEEWAY_S) + 1) * 1000;
  }

  /**
   * Subscribes to the map, then copies it (so no change falls between the two), then, with Redis,
   * loads Redis into the map and the list. Completes once the map is copied and Redis answered once;
   * if Redis did not, it is retried in the background and {@link #loaded()} stays false meanwhile.
   */
  public static Future<Revocations> start(Vertx vertx, NodeContext node) {
    Revocations r = new Revocations(vertx, node, ttlMs(node.config()));
    Gauge.builder(MetricNames.REVOCATIONS_ACTIVE, r.list, RevocationList::size)
        .description("Revocations in force in this node's local list").register(node.metrics());
    r.pruneTimer = vertx.setPeriodic(PRUNE_MS, id -> r.list.prune(System.currentTimeMillis()));
    // Both are remote calls that block: on a worker, never on an event loop.
    return vertx.executeBlocking(() -> {
      r.listener = r.map.addEntryListener(r.new MapEvents(), true);
      return Map.copyOf(r.map);
    }, false).map(snapshot -> {
      long now = System.currentTimeMillis();
      snapshot.forEach((key, at) -> {
        Revocation rev = Revocation.fromKey(key, at);
        if (rev != null) {
          r.list.apply(rev, now);
        }
      });
      return r;
    }).compose(v -> r.redis == null ? Future.succeededFuture(r) : r.loadRedis().transform(ar -> {
      // Refused credentials or a failed TLS handshake will not cure themselves: stop with the reason.
      String failure = ar.failed() ? RedisEndpoint.startFailure(ar.cause(), node.config()) : null;
      if (failure != null) {
        return r.close().transform(ignored -> Future.failedFuture(new IllegalStateException(failure)));
      }
      return Future.succeededFuture(r);
    }))
        .onSuccess(v -> LOG.atInfo().addKeyValue("nodeId", r.nodeId).addKeyValue("revocations", r.list.size())
            .addKeyValue("redis", r.redis != null).log("revocations loaded"));
  }

  /** True with {@code COURIER_STORE=redis}: revocations are kept in Redis as well. */
  public boolean usesRedis() {
    return redis != null;
  }

  /** False only while revocations kept in Redis could not be read yet (readiness reports it). */
  public boolean loaded() {
    return redis == null || loaded;
  }

  @Override
  public boolean revoked(Identity identity) {
    return list.revoked(identity, System.currentTimeMillis());
  }

  public long ttlMs() {
    return list.ttlMs();
  }

  int size() {
    return list.size();
  }

  /** Registers what closes local connections a new revocation covers. */
  void onRevoked(Consumer<Revocation> sweeper) {
    sweepers.add(sweeper);
  }

  void removeSweeper(Consumer<Revocation> sweeper) {
    sweepers.remove(sweeper);
  }

  /** Adds a revocation that arrived by the bus or the map; sweeps if it is news to this node. */
  void apply(Revocation r) {
    if (list.apply(r, System.currentTimeMillis())) {
      LOG.atInfo().addKeyValue("nodeId", nodeId).addKeyValue("kind", r.kind().label)
          .addKeyValue(r.kind() == Revocation.Kind.USER ? "userId" : "jti", r.subject()).addKeyValue("at", r.at())
          .log("revocation applied");
      sweepers.forEach(s -> s.accept(r));
    }
  }

  /**
   * Records {@code r} in the cluster map (with its backups), applies it here, publishes it to every
   * node, and with Redis stores it there too. Fails if the map or Redis write fails; what was done
   * before the failure stays done, and revoking again is harmless.
   */
  public Future<Void> revoke(Revocation r) {
    long ttl = list.ttlMs();
    return HazelcastFutures.onContext(map.submitToKey(r.key(), new KeepLatest(r.at(), ttl)), vertx.getOrCreateContext())
        .compose(stored -> {
          apply(r);
          vertx.eventBus().publish(Addresses.REVOCATIONS, r.toBus());
          long now = System.currentTimeMillis();
          return redis == null ? Future.<Void>succeededFuture() : redis.save(r, r.at() + ttl, now);
        });
  }

  public Future<Void> close() {
    closed = true;
    vertx.cancelTimer(pruneTimer);
    UUID id = listener;
    Future<Void> unlisten = id == null ? Future.succeededFuture() : vertx.executeBlocking(() -> {
      try {
        map.removeEntryListener(id);
      } catch (RuntimeException e) {
        // The member is already shutting down; its listeners go with it.
      }
      return null;
    }, false);
    return unlisten.transform(ignored -> redis == null ? Future.<Void>succeededFuture() : redis.close());
  }

  private Future<Void> loadRedis() {
    return redis.load(System.currentTimeMillis()).compose(revs -> {
      List<Future<?>> writes = new ArrayList<>();
      for (Revocation rev : revs) {
        apply(rev);
        writes.add(HazelcastFutures.onContext(map.submitToKey(rev.key(), new KeepLatest(rev.at(), list.ttlMs())), vertx.getOrCreateContext()));
      }
      return Future.all(writes).map(revs.size());
    }).onSuccess(n -> {
      loaded = true;
      LOG.atInfo().addKeyValue("nodeId", nodeId).addKeyValue("fromRedis", n).log("revocations read from Redis");
    }).onFailure(err -> {
      LOG.atError().addKeyValue("nodeId", nodeId).addKeyValue("error", RedisEndpoint.scrub(String.valueOf(err.getMessage()), redisUrl))
          .addKeyValue("retryMs", REDIS_RETRY_MS)
          .log("cannot read revocations from Redis; readiness stays DOWN until they are read");
      if (!closed) {
        vertx.setTimer(REDIS_RETRY_MS, id -> {
          if (!closed) {
            loadRedis();
          }
        });
      }
    }).mapEmpty();
  }

  /** Hazelcast event threads: apply what other members (or this one) wrote, forget what expired. */
  private final class MapEvents implements EntryAddedListener<String, Long>, EntryUpdatedListener<String, Long>,
      EntryMergedListener<String, Long>, EntryRemovedListener<String, Long>, EntryExpiredListener<String, Long>,
      EntryEvictedListener<String, Long> {
    @Override
    public void entryAdded(EntryEvent<String, Long> e) {
      changed(e);
    }

    @Override
    public void entryUpdated(EntryEvent<String, Long> e) {
      changed(e);
    }

    /** After a split brain heals, entries of the other side arrive this way. */
    @Override
    public void entryMerged(EntryEvent<String, Long> e) {
      changed(e);
    }

    @Override
    public void entryRemoved(EntryEvent<String, Long> e) {
      gone(e);
    }

    @Override
    public void entryExpired(EntryEvent<String, Long> e) {
      gone(e);
    }

    @Override
    public void entryEvicted(EntryEvent<String, Long> e) {
      gone(e);
    }

    private void changed(EntryEvent<String, Long> e) {
      Revocation r = e.getValue() == null ? null : Revocation.fromKey(e.getKey(), e.getValue());
      if (r != null) {
        apply(r);
      }
    }

    private void gone(EntryEvent<String, Long> e) {
      Long at = e.getOldValue();
      list.remove(e.getKey(), at == null ? Long.MAX_VALUE : at);
    }
  }

  /**
   * Keeps the later of the stored and the new revocation time, with a TTL that ends
   * {@code ttlMs} after it. Runs on the key's owner (and its backups): concurrent revocations of one
   * user from several nodes, or a reload from Redis, never move a cutoff back.
   */
  record KeepLatest(long at, long ttlMs) implements com.hazelcast.map.EntryProcessor<String, Long, Boolean> {
    @Override
    public Boolean process(Map.Entry<String, Long> entry) {
      Long old = entry.getValue();
      long remaining = at + ttlMs - System.currentTimeMillis();
      if ((old != null && old >= at) || remaining <= 0) {
        return false;
      }
      ((ExtendedMapEntry<String, Long>) entry).setValue(at, remaining, TimeUnit.MILLISECONDS);
      return true;
    }
  }
}
