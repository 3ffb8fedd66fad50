package io.courier.delivery.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.protocol.Setting;
import org.junit.jupiter.api.Test;

class RedisSettingsTest {

  @Test
  void defaultsAreTheDocumentedOnes() {
    RedisSettings s = RedisSettings.from(CourierConfig.defaults());
    assertThat(s.connections()).isEqualTo(4);
    assertThat(s.maxInFlight()).isEqualTo(1024);
  }

  @Test
  void everySettingIsCheckedAtItsEdges() {
    edges(ConfigKeys.REDIS_POOL, 1, RedisSettings.MAX_CONNECTIONS);
    edges(ConfigKeys.REDIS_MAX_IN_FLIGHT, 1, RedisSettings.MAX_IN_FLIGHT);
  }

  private static void edges(Setting s, int min, int max) {
    CourierConfig base = CourierConfig.defaults();
    RedisSettings.from(base.with(s, min));
    RedisSettings.from(base.with(s, max));
    assertThatThrownBy(() -> RedisSettings.from(base.with(s, min - 1))).hasMessageContaining(s.env());
    assertThatThrownBy(() -> RedisSettings.from(base.with(s, max + 1))).hasMessageContaining(s.env());
  }
}
