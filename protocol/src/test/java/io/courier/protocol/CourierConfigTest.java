package io.courier.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class CourierConfigTest {

  @Test
  void defaultsThenEnvThenSystemPropertiesThenOverrides() {
    Properties props = new Properties();
    props.setProperty("courier.heartbeat.ms", "300");
    CourierConfig c = CourierConfig.fromSources(
        Map.of("COURIER_PORT", "9000", "COURIER_HEARTBEAT_MS", "100"), props);
    assertThat(c.getInt(ConfigKeys.PORT)).isEqualTo(9000);
    assertThat(c.getLong(ConfigKeys.HEARTBEAT_MS)).isEqualTo(300);
    assertThat(c.getLong(ConfigKeys.RETRANSMIT_MAX_MS)).isEqualTo(60000);
    assertThat(c.with(ConfigKeys.PORT, 1).getInt(ConfigKeys.PORT)).isEqualTo(1);
  }

  @Test
  void malformedNumberNamesTheSetting() {
    CourierConfig c = CourierConfig.defaults().with(ConfigKeys.PORT, "eighty");
    assertThatThrownBy(() -> c.getInt(ConfigKeys.PORT)).hasMessageContaining("COURIER_PORT");
  }

  @Test
  void ratesMayHaveAFractionButMustBeNumbers() {
    assertThat(CourierConfig.defaults().with(ConfigKeys.USER_SENDS_PER_S, "0.25").getDouble(ConfigKeys.USER_SENDS_PER_S))
        .isEqualTo(0.25);
    assertThat(CourierConfig.defaults().getDouble(ConfigKeys.CONN_FRAMES_PER_S)).isEqualTo(200.0);
    assertThatThrownBy(() -> CourierConfig.defaults().with(ConfigKeys.CONN_BYTES_PER_S, "NaN")
        .getDouble(ConfigKeys.CONN_BYTES_PER_S)).hasMessageContaining("COURIER_CONN_BYTES_PER_S");
  }

  @Test
  void everySettingHasADescriptionAndAUniqueName() {
    assertThat(ConfigKeys.ALL).extracting(Setting::env).doesNotHaveDuplicates().allMatch(n -> n.startsWith("COURIER_"));
    assertThat(ConfigKeys.ALL).allMatch(s -> !s.description().isBlank());
  }
}
