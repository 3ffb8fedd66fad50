package io.courier.connection.auth;

import io.courier.cluster.RedisEndpoint;
import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;

/**
 * Revocations in Redis (with {@code COURIER_STORE=redis}), so they survive a restart of the whole
 * cluster, which the Hazelcast map does not. One sorted set, {@value #KEY}: each member is one
 * revocation ({@code u:<at>:<user>} or {@code j:<at>:<jti>}), scored by when it expires; expired
 * members are dropped on every write, so the set holds only what is in force.
 */
final class RedisRevocations {
  static final String KEY = "courier:revocations";
  private static final int CONNECT_TIMEOUT_MS = 2000;

  private final Redis redis;

  RedisRevocations(Vertx vertx, CourierConfig cfg) {
    RedisOptions options = new RedisOptions().setConnectionString(cfg.get(ConfigKeys.REDIS_URL)).setMaxPoolSize(2)
        .setMaxPoolWaiting(64);
    options.getNetClientOptions().setConnectTimeout(CONNECT_TIMEOUT_MS);
    RedisEndpoint.configure(options.getNetClientOptions(), cfg);
    this.redis = Redis.createClient(vertx, options);
  }

  Future<Void> save(Revocation r, long expiresAt, long now) {
    return redis.batch(List.of(
            Request.cmd(Command.ZADD).arg(KEY).arg(expiresAt).arg(member(r)),
            Request.cmd(Command.ZREMRANGEBYSCORE).arg(KEY).arg("-inf").arg(now)))
        .mapEmpty();
  }

  /** Every revocation in force at {@code now}. */
  Future<List<Revocation>> load(long now) {
    return redis.send(Request.cmd(Command.ZRANGEBYSCORE).arg(KEY).arg("(" + now).arg("+inf")).map(resp -> {
      List<Revocation> out = new ArrayList<>();
      if (resp != null) {
        for (Response m : resp) {
          Revocation r = parse(m.toString());
          if (r != null) {
            out.add(r);
          }
        }
      }
      return out;
    });
  }

  Future<Void> close() {
    return redis.close();
  }

  static String member(Revocation r) {
    return r.kind().prefix + r.at() + ":" + r.subject();
  }

  /** The revocation of a member, or null for one this version cannot read. */
  static Revocation parse(String member) {
    for (Revocation.Kind k : Revocation.Kind.values()) {
      if (member.startsWith(k.prefix)) {
        int colon = member.indexOf(':', k.prefix.length());
        if (colon < 0 || colon == member.length() - 1) {
          return null;
        }
        try {
          return new Revocation(k, member.substring(colon + 1), Long.parseLong(member.substring(k.prefix.length(), colon)));
        } catch (IllegalArgumentException e) {
          return null;
        }
      }
    }
    return null;
  }
}
