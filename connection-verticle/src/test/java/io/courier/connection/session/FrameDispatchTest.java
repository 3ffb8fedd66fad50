package io.courier.connection.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.protocol.FrameParser;
import io.courier.protocol.FrameTypes;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FrameDispatchTest {
  /** One valid frame of every type a client may send. */
  private static final Map<String, String> SAMPLES = Map.of(
      FrameTypes.SEND, "{\"type\":\"send\",\"id\":\"m1\",\"to\":\"b\",\"body\":\"hi\"}",
      FrameTypes.ACK, "{\"type\":\"ack\",\"seq\":1}",
      FrameTypes.SYNC, "{\"type\":\"sync\",\"after\":0}",
      FrameTypes.JOIN, "{\"type\":\"join\",\"room\":\"r\"}",
      FrameTypes.LEAVE, "{\"type\":\"leave\",\"room\":\"r\"}",
      FrameTypes.PRESENCE, "{\"type\":\"presence\",\"users\":[\"a\"]}",
      FrameTypes.WATCH, "{\"type\":\"watch\",\"users\":[\"a\"]}",
      FrameTypes.UNWATCH, "{\"type\":\"unwatch\",\"users\":[\"a\"]}",
      FrameTypes.REFRESH, "{\"type\":\"refresh\",\"token\":\"t\"}",
      FrameTypes.PING, "{\"type\":\"ping\"}");

  @Test
  void everyFrameTheParserAcceptsHasOneRouteUnderItsOwnType() {
    for (Map.Entry<String, String> e : SAMPLES.entrySet()) {
      FrameParser.Result r = FrameParser.parse(e.getValue());
      assertThat(r.ok()).as(e.getKey()).isTrue();
      assertThat(r.frame().type()).isEqualTo(e.getKey());
    }
    assertThat(FrameDispatch.routedTypes()).containsExactlyInAnyOrderElementsOf(SAMPLES.keySet());
  }
}
