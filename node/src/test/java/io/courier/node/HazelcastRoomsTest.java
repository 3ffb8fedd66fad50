package io.courier.node;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;

class HazelcastRoomsTest extends RoomsContract {
  @Override
  CourierConfig storeConfig(CourierConfig base) {
    return base.with(ConfigKeys.STORE, "hazelcast");
  }
}
