package io.courier.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.testing.Ports;
import io.courier.testing.TestCluster;
import io.courier.tokens.TokenIssuer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A client written in another language from docs/protocol.md alone talks to a real node. */
class ProtocolOnlyClientTest {

  @Test
  void pythonStandardLibraryClientCompletesItsConversation() throws Exception {
    String secret = "py-" + UUID.randomUUID();
    CourierConfig cfg = TestCluster.config(Ports.uniqueName("py")).with(ConfigKeys.JWT_SECRET, secret);
    CourierNode node = CourierNode.start(cfg).await();
    try {
      Path script = Path.of("..", "examples", "python", "courier_raw.py").toAbsolutePath().normalize();
      Process p = new ProcessBuilder("python3", script.toString(), "--port", String.valueOf(node.port()),
          "--alice", TokenIssuer.issue(secret, "py-alice-" + UUID.randomUUID(), Duration.ofMinutes(5), List.of()),
          "--bob", TokenIssuer.issue(secret, "py-bob-" + UUID.randomUUID(), Duration.ofMinutes(5), List.of()))
          .redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(out).isZero();
      assertThat(out).contains("all steps behaved as documented");
    } finally {
      node.close().await();
    }
  }
}
