package io.courier.node;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.testing.RedisServer;

class RedisMessagePathTest extends MessagePathContract {
  @Override
  CourierConfig storeConfig(CourierConfig base) {
    RedisServer redis = nodes.add(RedisServer.start());
    return base.with(ConfigKeys.STORE, "redis").with(ConfigKeys.REDIS_URL, redis.url());
  }
}
