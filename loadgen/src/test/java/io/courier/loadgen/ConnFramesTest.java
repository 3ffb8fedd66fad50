package io.courier.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.protocol.ClientFrames;
import org.junit.jupiter.api.Test;

/** The frames the load generator builds by hand are the protocol's own. */
class ConnFramesTest {
  @Test
  void aSendIsTheProtocolsSendWithTheMeasuringBody() {
    assertThat(Conn.sendFrame(7, "\"lg-\\\"b\"", false, 3, -1, 99L, false, "xx"))
        .isEqualTo(ClientFrames.send("m7", "lg-\"b", null, "{\"s\":3,\"n\":7,\"t\":99,\"p\":\"xx\"}"));
    assertThat(Conn.sendFrame(8, "\"r\"", true, 3, 2, 99L, true, ""))
        .isEqualTo(ClientFrames.send("m8", null, "r", "{\"s\":3,\"n\":8,\"g\":2,\"t\":99,\"w\":1,\"p\":\"\"}"));
  }

  @Test
  void theAckIsTheProtocolsAck() {
    assertThat(Conn.ACK_HEAD + 12345L + '}').isEqualTo(ClientFrames.ack(12345L));
  }
}
