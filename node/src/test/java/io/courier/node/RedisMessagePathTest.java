package io.courier.node;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.testing.RedisServer;

class RedisMessagePathTest extends MessagePathContract {
  private RedisServer redis;

  @Override
  CourierConfig storeConfig(CourierConfig base) {
    redis = RedisServer.start();
    return base.with(ConfigKeys.STORE, "redis").with(ConfigKeys.REDIS_URL, redis.url());
  }

  @Override
  void afterNodeClosed() {
    if (redis != null) {
      redis.close();
    }
  }
}
