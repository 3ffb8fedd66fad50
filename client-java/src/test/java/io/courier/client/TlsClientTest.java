package io.courier.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.node.CourierNode;
import io.courier.node.InProcessNodes;
import io.courier.protocol.ConfigKeys;
import io.courier.testing.Nodes;
import io.courier.testing.OpenSsl;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The client over wss:// to a node serving TLS with a certificate made at test time, trusted by PEM file. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsClientTest {
  @RegisterExtension
  static final Nodes<CourierNode> nodes = InProcessNodes.named("tls-client");

  @TempDir
  static Path dir;
  private OpenSsl.KeyAndCert cert;
  private CourierNode node;
  private Vertx vertx;

  @BeforeAll
  void start() {
    cert = OpenSsl.selfSigned(dir, "server", false);
    node = nodes.start(nodes.config()
        .with(ConfigKeys.GATEWAY_INSTANCES, 1)
        .with(ConfigKeys.TLS_CERT_FILE, cert.cert()).with(ConfigKeys.TLS_KEY_FILE, cert.key()));
    vertx = nodes.client();
  }

  /**
   * A connected user. The first TLS connection of a JVM builds its SSL contexts, which takes seconds
   * on a busy machine: the deadline is longer than the usual 10 s.
   */
  private TestUser user(String name) {
    CourierClientOptions o = TestUser.options(node.port()).setConnectTimeoutMs(30_000)
        .setUrl("wss://127.0.0.1:" + node.port() + "/ws").setTrustPemFile(cert.cert().toString());
    TestUser u = new TestUser(vertx, name + "-" + UUID.randomUUID().toString().substring(0, 8), nodes.secret(), List.of(), o);
    u.client.connect().timeout(60, java.util.concurrent.TimeUnit.SECONDS).await();
    return u;
  }

  @Test
  void twoClientsExchangeAMessageOverWss() {
    try (TestUser alice = user("alice"); TestUser bob = user("bob")) {
      Await.result(alice.client.send(bob.id, TestUser.body(7)));
      bob.awaitMessages(1);
      assertThat(bob.numbers()).containsExactly(7);
      assertThat(bob.client.session().nodeId()).isEqualTo(node.nodeId());
    }
  }
}
