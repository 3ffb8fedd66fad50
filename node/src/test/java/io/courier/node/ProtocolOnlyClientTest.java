package io.courier.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.testing.Nodes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A client written in another language from docs/protocol.md alone talks to a real node. */
class ProtocolOnlyClientTest {
  @RegisterExtension
  static final Nodes<CourierNode> nodes = InProcessNodes.named("py").tokensLasting(Duration.ofMinutes(5));

  @Test
  void pythonStandardLibraryClientCompletesItsConversation() throws Exception {
    conversation(nodes, nodes.start(nodes.config()), "py");
  }

  /**
   * The Python client of examples/ talks to {@code node} as two users named from {@code prefix} and
   * checks every step as docs/protocol.md describes it.
   */
  static void conversation(Nodes<CourierNode> nodes, CourierNode node, String prefix) throws Exception {
    Path script = Path.of("..", "examples", "python", "courier_raw.py").toAbsolutePath().normalize();
    Process p = new ProcessBuilder("python3", script.toString(), "--port", String.valueOf(node.port()),
        "--alice", nodes.token(prefix + "-alice-" + UUID.randomUUID()),
        "--bob", nodes.token(prefix + "-bob-" + UUID.randomUUID()))
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("all steps behaved as documented");
  }
}
