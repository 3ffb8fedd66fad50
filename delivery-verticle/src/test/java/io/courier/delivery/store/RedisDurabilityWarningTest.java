package io.courier.delivery.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.testing.Ports;
import io.courier.testing.RedisServer;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Redis store tells how Redis is deployed, so operators learn when a crash, an eviction or a
 * failover could lose acknowledged messages: fsync policy, eviction policy, replicas without WAIT.
 */
class RedisDurabilityWarningTest {

  private static List<String> warningsFor(RedisServer redis, String... config) {
    Vertx vertx = Vertx.vertx();
    try {
      RedisMessageStore store = new RedisMessageStore(vertx,
          CourierConfig.defaults().with(ConfigKeys.REDIS_URL, redis.url()));
      if (config.length > 0) {
        RedisAPI.api(Redis.createClient(vertx, redis.url())).config(List.of(config)).await();
      }
      List<String> w = store.configurationWarnings().await();
      store.close().await();
      return w;
    } finally {
      vertx.close().await();
    }
  }

  @Test
  void everysecAndNoAofAreReportedAlwaysIsNot() {
    try (RedisServer redis = RedisServer.start()) {
      assertThat(warningsFor(redis, "SET", "appendfsync", "everysec")).singleElement().asString().contains("everysec");
      assertThat(warningsFor(redis, "SET", "appendfsync", "always")).isEmpty();
      assertThat(warningsFor(redis, "SET", "appendonly", "no")).singleElement().asString().contains("without AOF");
    }
  }

  @Test
  void anEvictingPolicyIsReportedNoevictionIsNot() {
    try (RedisServer redis = RedisServer.start(Ports.free(), null, "--appendfsync", "always",
        "--maxmemory-policy", "volatile-lru")) {
      assertThat(warningsFor(redis)).singleElement().asString().contains("maxmemory-policy is 'volatile-lru'")
          .contains("noeviction");
      assertThat(warningsFor(redis, "SET", "maxmemory-policy", "noeviction")).isEmpty();
    }
  }

  @Test
  void aPrimaryWithAReplicaAndTheReplicaItselfAreReported() throws Exception {
    try (RedisServer primary = RedisServer.start(Ports.free(), null, "--appendfsync", "always",
        "--min-replicas-to-write", "1");
         RedisServer replica = RedisServer.start(Ports.free(), null, "--appendfsync", "always",
             "--replicaof", "127.0.0.1", String.valueOf(primary.port()))) {
      awaitConnectedReplicas(primary, 1);
      assertThat(warningsFor(primary)).singleElement().asString().contains("1 connected replica")
          .contains("does not WAIT").contains("min-replicas-to-write 1");
      assertThat(warningsFor(replica)).singleElement().asString()
          .contains("is a replica of 127.0.0.1:" + primary.port()).contains("does not WAIT");
    }
  }

  private static void awaitConnectedReplicas(RedisServer primary, int n) throws InterruptedException {
    Vertx vertx = Vertx.vertx();
    try {
      RedisAPI api = RedisAPI.api(Redis.createClient(vertx, primary.url()));
      long deadline = System.nanoTime() + 20_000_000_000L;
      while (!api.info(List.of("replication")).await().toString().contains("connected_slaves:" + n)) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("replica did not connect to " + primary.url());
        }
        Thread.sleep(50);
      }
    } finally {
      vertx.close().await();
    }
  }
}
