package io.courier.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.protocol.ClientFrames;
import io.courier.protocol.MsgFrame;
import io.courier.protocol.ServerFrames;
import org.junit.jupiter.api.Test;

/**
 * The fast reading of `sent` and `msg` frames: it must read exactly what a JSON parse reads from
 * the frames the server and the forwarder write, and hand everything else back to the JSON parse.
 */
class FrameScanTest {
  private final FrameScan scan = new FrameScan();

  @Test
  void readsSentAsTheServerWritesIt() {
    assertThat(scan.scan(ServerFrames.sent("m42", 1_700_000_000_000L, false, null).encode())).isTrue();
    assertThat(scan.type).isEqualTo(FrameScan.SENT);
    assertThat(scan.sentNumber).isEqualTo(42);
    assertThat(scan.scan(ServerFrames.sent("m0", 1L, true, null).encode())).isTrue();
    assertThat(scan.sentNumber).isZero();
  }

  @Test
  void anIdThatIsNotOneOfOursNamesNoSend() {
    for (String id : new String[] {"x1", "m", "m01", "m-1", "m1a", "m99999999999", "M1", ""}) {
      assertThat(scan.scan(ServerFrames.sent(id, 1L, false, null).encode())).as(id).isTrue();
      assertThat(scan.sentNumber).as(id).isEqualTo(-1);
      assertThat(FrameScan.idNumber(id)).as(id).isEqualTo(-1);
    }
    assertThat(FrameScan.idNumber("m2147483647")).isEqualTo(Integer.MAX_VALUE);
    assertThat(FrameScan.idNumber("m2147483648")).isEqualTo(-1);
    assertThat(FrameScan.idNumber(null)).isEqualTo(-1);
  }

  @Test
  void readsAMsgWithSeqAndTheMeasuringBody() {
    String body = "{\"s\":7,\"n\":123,\"t\":98765432101234,\"p\":\"xx\\\"x\"}";
    String frame = MsgFrame.of(5, "ep\"och", "m123", 99L, MsgFrame.tail("m123", "lg-a", "lg-b", null, body, 99L)).text();
    assertThat(scan.scan(frame)).isTrue();
    assertThat(scan.type).isEqualTo(FrameScan.MSG);
    assertThat(scan.seq).isEqualTo(5);
    assertThat(scan.sender).isEqualTo(7);
    assertThat(scan.number).isEqualTo(123);
    assertThat(scan.roomMessage).isEqualTo(-1);
    assertThat(scan.sentNanos).isEqualTo(98765432101234L);
    assertThat(scan.warmup).isFalse();
  }

  @Test
  void readsTheForwardersMsgWithoutSeqAndARoomMessageWithTheWarmupMark() {
    String body = "{\"s\":0,\"n\":1,\"g\":3,\"t\":-5,\"w\":1,\"p\":\"\"}";
    String frame = "{\"type\":\"msg\"" + MsgFrame.tail("m1", "lg-a", null, "room-1", body, 7L);
    assertThat(scan.scan(frame)).isTrue();
    assertThat(scan.seq).isEqualTo(-1);
    assertThat(scan.roomMessage).isEqualTo(3);
    assertThat(scan.sentNanos).isEqualTo(-5);
    assertThat(scan.warmup).isTrue();
  }

  @Test
  void leavesEverythingElseToTheJsonParse() {
    String[] others = {
        ServerFrames.welcome("s", "u", "n", "e", 0, 0, 0).encode(),
        ServerFrames.sent("m1", 1L, false, "r1").encode(),
        ClientFrames.send("m1", "to", null, "{}"),
        "{\"type\":\"msg\",\"body\":{\"n\":1,\"t\":1}}",                  // no sender
        "{\"type\":\"msg\",\"body\":{\"s\":1,\"t\":1}}",                  // no number
        "{\"type\":\"msg\"}",                                             // no body
        "{\"type\":\"msg\",\"body\":{\"s\":1.0,\"n\":1}}",                // not an integer
        "{\"type\":\"msg\",\"body\":{\"s\":1,\"n\":2147483648}}",         // not an int
        "{\"type\":\"msg\",\"body\":{\"s\":1,\"n\":1,\"g\":-1}}",         // negative room number
        "{\"type\":\"msg\",\"body\":{\"s\":1,\"n\":1,\"g\":null}}",
        "{\"type\":\"msg\",\"body\":{\"s\":1,\"n\":01}}",                 // not JSON
        "{\"type\":\"msg\",\"body\":{\"s\":1,\"n\":1,\"t\":\"1\"}}",
        "{\"type\":\"msg\",\"seq\":1.5,\"body\":{\"s\":1,\"n\":1}}",
        "{\"type\":\"msg\",\"ts\":1.,\"body\":{\"s\":1,\"n\":1}}",        // not JSON
        "{\"type\":\"msg\",\"body\":{\"s\":1,\"n\":1}} x",                // trailing text
        "{\"type\":\"msg\",\"body\":{\"s\":1,\"n\":1}",                   // cut short
        "{\"ty\\u0070e\":\"msg\",\"body\":{\"s\":1,\"n\":1}}",            // escaped key
        "{\"type\":\"se\\u006et\",\"id\":\"m1\"}",
        "{\"type\":\"sent\",\"id\":\"m1\",\"x\":tru}",
        "{\"type\":\"sent\",\"id\":\"m1\",}",
        "{\"type\":\"sent\"}",                                            // no id
        "{}", "[]", "", "not json"};
    for (String f : others) {
      assertThat(scan.scan(f)).as(f).isFalse();
    }
  }

  @Test
  void skipsUnreadFieldsOfEveryKind() {
    String frame = "{ \"type\" : \"msg\", \"x\": [1, -2.5e+3, {\"a\": [true, false, null]}, \"\\\\\\\"\"], "
        + "\"body\": {\"s\": 2, \"q\": {\"p\": \"}\"}, \"n\": 3}, \"y\": 0 }";
    assertThat(scan.scan(frame)).isTrue();
    assertThat(scan.sender).isEqualTo(2);
    assertThat(scan.number).isEqualTo(3);
    assertThat(scan.sentNanos).isZero();
  }
}
