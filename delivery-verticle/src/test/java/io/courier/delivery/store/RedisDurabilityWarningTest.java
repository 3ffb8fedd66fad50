package io.courier.delivery.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.testing.RedisServer;
import io.vertx.core.Vertx;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Redis store tells how Redis persists, so operators learn when a crash could lose messages. */
class RedisDurabilityWarningTest {

  private static List<String> warningsFor(RedisServer redis, String... config) {
    Vertx vertx = Vertx.vertx();
    try {
      RedisMessageStore store = new RedisMessageStore(vertx,
          CourierConfig.defaults().with(ConfigKeys.REDIS_URL, redis.url()));
      if (config.length > 0) {
        io.vertx.redis.client.RedisAPI.api(io.vertx.redis.client.Redis.createClient(vertx, redis.url()))
            .config(List.of(config)).await();
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
}
