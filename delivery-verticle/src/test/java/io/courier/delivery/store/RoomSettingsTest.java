package io.courier.delivery.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.protocol.Setting;
import org.junit.jupiter.api.Test;

class RoomSettingsTest {

  @Test
  void defaultsAreTheDocumentedOnes() {
    RoomSettings s = RoomSettings.from(CourierConfig.defaults());
    assertThat(s.maxRoomsPerUser()).isEqualTo(100);
    assertThat(s.maxMembers()).isEqualTo(10_000);
    assertThat(s.fanoutChunk()).isEqualTo(256);
    assertThat(s.fanoutParallelism()).isEqualTo(4);
    assertThat(s.sendsInFlight()).isEqualTo(2);
  }

  @Test
  void everySettingIsCheckedAtItsEdges() {
    edges(ConfigKeys.MAX_ROOMS_PER_USER, 1, null);
    edges(ConfigKeys.MAX_ROOM_MEMBERS, 1, null);
    edges(ConfigKeys.ROOM_FANOUT_CHUNK, 1, 10_000);
    edges(ConfigKeys.ROOM_FANOUT_PARALLELISM, 1, 64);
    edges(ConfigKeys.ROOM_SENDS_IN_FLIGHT, 1, 64);
  }

  private static void edges(Setting s, int min, Integer max) {
    CourierConfig base = CourierConfig.defaults();
    RoomSettings.from(base.with(s, min));
    assertThatThrownBy(() -> RoomSettings.from(base.with(s, min - 1))).hasMessageContaining(s.env());
    if (max != null) {
      RoomSettings.from(base.with(s, max));
      assertThatThrownBy(() -> RoomSettings.from(base.with(s, max + 1))).hasMessageContaining(s.env());
    }
  }
}
