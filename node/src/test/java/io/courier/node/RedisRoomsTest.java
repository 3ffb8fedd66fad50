package io.courier.node;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.testing.RedisServer;

/** Both nodes use one redis-server of the test's own, which holds the inboxes and the membership. */
class RedisRoomsTest extends RoomsContract {
  @Override
  CourierConfig storeConfig(CourierConfig base) {
    RedisServer redis = nodes.add(RedisServer.start());
    return base.with(ConfigKeys.STORE, "redis").with(ConfigKeys.REDIS_URL, redis.url());
  }
}
