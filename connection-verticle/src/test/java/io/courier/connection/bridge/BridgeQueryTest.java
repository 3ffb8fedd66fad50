package io.courier.connection.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BridgeQueryTest {

  @Test
  void tokenIsReadFromTheQueryDecodedFirstValueWins() {
    assertThat(BridgeSocket.queryParam("/eventbus/websocket?token=a%2Eb+c&token=z", "token")).isEqualTo("a.b c");
    assertThat(BridgeSocket.queryParam("/eventbus/websocket?x=1&token", "token")).isEmpty();
    assertThat(BridgeSocket.queryParam("/eventbus/websocket?tokens=1", "token")).isNull();
    assertThat(BridgeSocket.queryParam("/eventbus/websocket", "token")).isNull();
    assertThat(BridgeSocket.queryParam(null, "token")).isNull();
    assertThat(BridgeSocket.queryParam("/eventbus/websocket?token=a;b", "token")).isEqualTo("a;b");
  }
}
