package io.courier.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FrameParserTest {

  private static FrameError error(String text) {
    FrameParser.Result r = FrameParser.parse(text);
    assertThat(r.ok()).as("expected an error for %s", text).isFalse();
    return r.error();
  }

  @Test
  void sendToUserKeepsBodyTextAndDefaultsRefToId() {
    FrameParser.Result r = FrameParser.parse("{\"type\":\"send\",\"id\":\"m1\",\"to\":\"bob\",\"body\":{\"t\":\"hi\",\"n\":[1,2]}}");
    assertThat(r.ok()).isTrue();
    ClientFrame.Send s = (ClientFrame.Send) r.frame();
    assertThat(s.id()).isEqualTo("m1");
    assertThat(s.to()).isEqualTo("bob");
    assertThat(s.room()).isNull();
    assertThat(s.ref()).isEqualTo("m1");
    assertThat(s.bodyJson()).isEqualTo("{\"t\":\"hi\",\"n\":[1,2]}");
  }

  @Test
  void nullBodyIsAllowedButMissingBodyIsNot() {
    assertThat(FrameParser.parse("{\"type\":\"send\",\"id\":\"a\",\"to\":\"b\",\"body\":null}").ok()).isTrue();
    FrameError e = error("{\"type\":\"send\",\"id\":\"a\",\"to\":\"b\"}");
    assertThat(e.code()).isEqualTo(ErrorCodes.BAD_FRAME);
    assertThat(e.ref()).isEqualTo("a");
  }

  @Test
  void explicitRefIsEchoed() {
    FrameParser.Result r = FrameParser.parse("{\"type\":\"ping\",\"ref\":\"r7\"}");
    assertThat(r.frame().ref()).isEqualTo("r7");
    assertThat(error("{\"type\":\"ack\",\"ref\":\"r8\"}").ref()).isEqualTo("r8");
  }

  @Test
  void idOf64CharsIsAcceptedAnd65IsNot() {
    String id64 = "x".repeat(64);
    assertThat(FrameParser.parse("{\"type\":\"send\",\"id\":\"" + id64 + "\",\"to\":\"b\",\"body\":1}").ok()).isTrue();
    FrameError e = error("{\"type\":\"send\",\"id\":\"" + id64 + "y\",\"to\":\"b\",\"body\":1}");
    assertThat(e.code()).isEqualTo(ErrorCodes.BAD_FRAME);
    assertThat(e.message()).contains("id");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "not json",
      "[1,2]",
      "\"text\"",
      "42",
      "{}",
      "{\"type\":5}",
      "{\"type\":\"nope\"}",
      "{\"type\":\"send\",\"id\":\"a\",\"to\":\"b\",\"room\":\"r\",\"body\":1}",
      "{\"type\":\"send\",\"id\":\"a\",\"body\":1}",
      "{\"type\":\"send\",\"id\":\"\",\"to\":\"b\",\"body\":1}",
      "{\"type\":\"send\",\"id\":7,\"to\":\"b\",\"body\":1}",
      "{\"type\":\"send\",\"id\":\"a\",\"to\":7,\"body\":1}",
      "{\"type\":\"send\",\"id\":\"a\",\"to\":\"\",\"body\":1}",
      "{\"type\":\"ack\",\"seq\":\"3\"}",
      "{\"type\":\"ack\",\"seq\":-1}",
      "{\"type\":\"ack\",\"seq\":1.5}",
      "{\"type\":\"sync\"}",
      "{\"type\":\"sync\",\"after\":0,\"epoch\":5}",
      "{\"type\":\"join\"}",
      "{\"type\":\"presence\",\"users\":\"bob\"}",
      "{\"type\":\"presence\",\"users\":[1]}",
      "{\"type\":\"refresh\"}",
      "{\"type\":\"ping\",\"ref\":5}",
  })
  void invalidFramesAreBadFrame(String text) {
    assertThat(error(text).code()).isEqualTo(ErrorCodes.BAD_FRAME);
  }

  @Test
  void unknownExtraFieldsAreIgnored() {
    FrameParser.Result r = FrameParser.parse("{\"type\":\"ack\",\"seq\":3,\"extra\":{\"x\":1}}");
    assertThat(((ClientFrame.Ack) r.frame()).seq()).isEqualTo(3);
  }

  @Test
  void syncCarriesOptionalEpoch() {
    ClientFrame.Sync s = (ClientFrame.Sync) FrameParser.parse("{\"type\":\"sync\",\"after\":12,\"epoch\":\"e1\"}").frame();
    assertThat(s.after()).isEqualTo(12);
    assertThat(s.epoch()).isEqualTo("e1");
    assertThat(((ClientFrame.Sync) FrameParser.parse("{\"type\":\"sync\",\"after\":0}").frame()).epoch()).isNull();
  }

  @Test
  void syncCarriesOptionalProofOfPosition() {
    ClientFrame.Sync s = (ClientFrame.Sync) FrameParser.parse(
        "{\"type\":\"sync\",\"after\":5,\"epoch\":\"e1\",\"lastId\":\"m5\",\"lastTs\":1700000000123}").frame();
    assertThat(s.lastId()).isEqualTo("m5");
    assertThat(s.lastTs()).isEqualTo(1700000000123L);
    ClientFrame.Sync bare = (ClientFrame.Sync) FrameParser.parse("{\"type\":\"sync\",\"after\":5,\"epoch\":\"e1\"}").frame();
    assertThat(bare.lastId()).isNull();
    assertThat(bare.lastTs()).isNull();
    ClientFrame.Sync nulls = (ClientFrame.Sync) FrameParser.parse(
        "{\"type\":\"sync\",\"after\":5,\"lastId\":null,\"lastTs\":null}").frame();
    assertThat(nulls.lastId()).isNull();
    assertThat(nulls.lastTs()).isNull();
  }

  @Test
  void syncProofOfTheWrongShapeIsABadFrameWithItsRef() {
    for (String bad : new String[] {"\"lastId\":5", "\"lastId\":\"\"", "\"lastId\":\"" + "x".repeat(65) + "\"",
        "\"lastTs\":\"12\"", "\"lastTs\":-1", "\"lastTs\":1.5"}) {
      FrameError e = error("{\"type\":\"sync\",\"ref\":\"s1\",\"after\":5," + bad + "}");
      assertThat(e.code()).as(bad).isEqualTo(ErrorCodes.BAD_FRAME);
      assertThat(e.ref()).as(bad).isEqualTo("s1");
      assertThat(e.message()).as(bad).startsWith(bad.substring(1, 7));
    }
  }

  @Test
  void syncedWritesResetOnlyWhenTrue() {
    io.vertx.core.json.JsonObject plain = ServerFrames.synced(3, 5, "e1", false, 1, "r");
    assertThat(plain.containsKey("reset")).isFalse();
    io.vertx.core.json.JsonObject reset = ServerFrames.synced(0, 5, "e1", false, 1, true, "r");
    assertThat(reset.getBoolean("reset")).isTrue();
    assertThat(reset.getLong("after")).isZero();
    assertThat(reset.getString("ref")).isEqualTo("r");
  }

  @Test
  void deeplyNestedJsonIsRefusedNotCrashed() {
    String deep = "{\"type\":\"send\",\"id\":\"a\",\"to\":\"b\",\"body\":" + "[".repeat(5000) + "]".repeat(5000) + "}";
    assertThat(error(deep).code()).isEqualTo(ErrorCodes.BAD_FRAME);
  }

  @Test
  void msgFrameIsValidJsonWithBodyInserted() {
    InboxMessage m = new InboxMessage(7, "ep", "id\"1", "al\u00e9", "bob", null, "{\"k\":[true,null]}", 123L);
    io.vertx.core.json.JsonObject o = new io.vertx.core.json.JsonObject(m.toFrameText());
    assertThat(o.getString("type")).isEqualTo("msg");
    assertThat(o.getLong("seq")).isEqualTo(7);
    assertThat(o.getString("id")).isEqualTo("id\"1");
    assertThat(o.getString("from")).isEqualTo("al\u00e9");
    assertThat(o.getString("to")).isEqualTo("bob");
    assertThat(o.containsKey("room")).isFalse();
    assertThat(o.getJsonObject("body").getJsonArray("k").getBoolean(0)).isTrue();
    assertThat(InboxMessage.fromBus(m.toBus())).isEqualTo(m);
  }
}
