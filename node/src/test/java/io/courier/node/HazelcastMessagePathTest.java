package io.courier.node;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;

class HazelcastMessagePathTest extends MessagePathContract {
  @Override
  CourierConfig storeConfig(CourierConfig base) {
    return base.with(ConfigKeys.STORE, "hazelcast");
  }
}
