package io.courier.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The {@code msg} frame's exact bytes are part of the wire contract: these pin them. */
class MsgFrameTest {

  @Test
  void aDirectMsgFrameHasTheseExactBytes() {
    InboxMessage m = new InboxMessage(7, "ep-1", "id-1", "alice", "bob", null, "{\"k\":[true,null]}", 123L);
    String expected = "{\"type\":\"msg\",\"seq\":7,\"epoch\":\"ep-1\",\"id\":\"id-1\",\"from\":\"alice\","
        + "\"to\":\"bob\",\"body\":{\"k\":[true,null]},\"ts\":123}";
    assertThat(MsgFrame.text(m)).isEqualTo(expected);
    assertThat(m.toFrameText()).isEqualTo(expected);
    assertThat(MsgFrame.of(m)).isEqualTo(new MsgFrame(7, "id-1", 123L, expected));
  }

  @Test
  void aRoomMsgFrameHasTheseExactBytesWhetherBuiltWholeOrFromItsTail() {
    InboxMessage m = new InboxMessage(9, "ep\"1", "id\"2", "al\u00e9", null, "r-\"1", "\"hi\"", 456L);
    String expected = "{\"type\":\"msg\",\"seq\":9,\"epoch\":\"ep\\\"1\",\"id\":\"id\\\"2\",\"from\":\"al\u00e9\","
        + "\"room\":\"r-\\\"1\",\"body\":\"hi\",\"ts\":456}";
    assertThat(MsgFrame.text(m)).isEqualTo(expected);
    String tail = MsgFrame.tail("id\"2", "al\u00e9", null, "r-\"1", "\"hi\"", 456L);
    assertThat(MsgFrame.of(9, "ep\"1", "id\"2", 456L, tail)).isEqualTo(new MsgFrame(9, "id\"2", 456L, expected));
  }

  @Test
  void aFrameTextRoundTripsThroughJsonWithTheFieldsItWasBuiltFrom() {
    InboxMessage direct = new InboxMessage(7, "ep", "id\"1", "al\u00e9", "bob", null, "{\"k\":[1,2]}", 123L);
    InboxMessage room = new InboxMessage(8, "ep", "id-2", "al", null, "lobby", "[\"x\"]", 124L);
    for (InboxMessage m : new InboxMessage[] {direct, room}) {
      String text = MsgFrame.text(m);
      JsonObject o = new JsonObject(text);
      assertThat(o.getString("type")).isEqualTo(FrameTypes.MSG);
      assertThat(new InboxMessage(o.getLong("seq"), o.getString("epoch"), o.getString("id"), o.getString("from"),
          o.getString("to"), o.getString("room"), Json.encode(o.getValue("body")), o.getLong("ts"))).isEqualTo(m);
      // Re-encoding the parsed object gives the same bytes: field order and number forms match Jackson's.
      assertThat(o.encode()).isEqualTo(text);
    }
  }
}
