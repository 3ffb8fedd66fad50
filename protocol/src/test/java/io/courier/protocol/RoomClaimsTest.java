package io.courier.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RoomClaimsTest {

  @Test
  void exactEntriesCoverOnlyThatIdCaseSensitively() {
    List<String> claim = List.of("lobby", "team-a");
    assertThat(RoomClaims.covers(claim, "lobby")).isTrue();
    assertThat(RoomClaims.covers(claim, "team-a")).isTrue();
    assertThat(RoomClaims.covers(claim, "Lobby")).isFalse();
    assertThat(RoomClaims.covers(claim, "lobby2")).isFalse();
    assertThat(RoomClaims.covers(claim, "lobb")).isFalse();
  }

  @Test
  void aTrailingStarCoversEveryIdWithThatPrefix() {
    List<String> claim = List.of("r-*");
    assertThat(RoomClaims.covers(claim, "r-1")).isTrue();
    assertThat(RoomClaims.covers(claim, "r-")).isTrue();
    assertThat(RoomClaims.covers(claim, "r-long/room id")).isTrue();
    assertThat(RoomClaims.covers(claim, "R-1")).isFalse();
    assertThat(RoomClaims.covers(claim, "r")).isFalse();
    assertThat(RoomClaims.covers(claim, "xr-1")).isFalse();
  }

  @Test
  void aStarElsewhereIsLiteral() {
    assertThat(RoomClaims.covers(List.of("a*b"), "axxb")).isFalse();
    assertThat(RoomClaims.covers(List.of("*b"), "ab")).isFalse();
    assertThat(RoomClaims.covers(List.of("a*b"), "a*b")).isTrue();
  }

  @Test
  void aLoneStarCoversEverythingAndNothingCoversWithoutAClaim() {
    assertThat(RoomClaims.covers(List.of("*"), "anything")).isTrue();
    assertThat(RoomClaims.covers(List.of(), "lobby")).isFalse();
    assertThat(RoomClaims.covers(null, "lobby")).isFalse();
    assertThat(RoomClaims.covers(List.of(""), "lobby")).isFalse();
  }
}
