package io.courier.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
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

  @Test
  void aRoomFrameBuiltFromItsTailEqualsTheWholeFrame() {
    InboxMessage m = new InboxMessage(7, "ep\"1", "id-1", "al\u00e9", null, "r-\"1", "{\"a\":[1,2]}", 123);
    String frame = InboxMessage.frameText(7, "ep\"1", m.frameTail());
    assertThat(frame).isEqualTo(m.toFrameText());
    JsonObject parsed = new JsonObject(frame);
    assertThat(parsed.getString("type")).isEqualTo("msg");
    assertThat(parsed.getLong("seq")).isEqualTo(7);
    assertThat(parsed.getString("epoch")).isEqualTo("ep\"1");
    assertThat(parsed.getString("room")).isEqualTo("r-\"1");
    assertThat(parsed.containsKey("to")).isFalse();
    assertThat(parsed.getJsonObject("body").getJsonArray("a")).containsExactly(1, 2);
    assertThat(parsed.getLong("ts")).isEqualTo(123);
  }
}
