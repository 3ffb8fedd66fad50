package io.courier.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.testing.Nodes;
import io.courier.testing.Ports;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A TCP bridge socket must send its first frame within COURIER_HANDSHAKE_TIMEOUT_MS. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TcpBridgeHandshakeTest {
  @RegisterExtension
  static final Nodes<CourierNode> nodes = InProcessNodes.named("bridge-handshake");
  static final long HANDSHAKE_MS = 1000;

  CourierNode node;
  int bridgePort;

  @BeforeAll
  void start() {
    bridgePort = Ports.free();
    CourierConfig cfg = nodes.config()
        .with(ConfigKeys.TCP_BRIDGE_PORT, bridgePort).with(ConfigKeys.GATEWAY_INSTANCES, 1)
        .with(ConfigKeys.HANDSHAKE_TIMEOUT_MS, HANDSHAKE_MS);
    node = nodes.start(cfg);
  }

  @Test
  void aSilentSocketIsClosedAtTheHandshakeTimeout() throws Exception {
    try (RawSocket s = RawSocket.open(bridgePort)) {
      long closedAt = s.awaitClosed(HANDSHAKE_MS + 4000);
      assertThat(closedAt).isGreaterThanOrEqualTo(HANDSHAKE_MS - 50);
    }
  }

  @Test
  void aSocketThatSendsAFrameInTimeStays() throws Exception {
    try (RawSocket s = RawSocket.open(bridgePort)) {
      byte[] ping = "{\"type\":\"ping\"}".getBytes(StandardCharsets.UTF_8);
      String frame = new String(new byte[] {0, 0, 0, (byte) ping.length}, StandardCharsets.ISO_8859_1)
          + new String(ping, StandardCharsets.ISO_8859_1);
      assertThat(s.write(frame)).isTrue();
      assertThat(s.awaitClosed(HANDSHAKE_MS + 1000)).as("still open past the timeout").isEqualTo(-1);
      assertThat(s.received()).contains("pong");
    }
  }
}
