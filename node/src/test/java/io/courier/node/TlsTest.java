package io.courier.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.MetricNames;
import io.courier.protocol.CourierConfig;
import io.courier.testing.Nodes;
import io.courier.testing.OpenSsl;
import io.courier.testing.Ports;
import io.courier.testing.TestCluster;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node serving TLS from PEM files made by openssl at test time: wss:// and https:// work for a
 * client that trusts the certificate; plain ws:// and a client that does not trust it get no
 * connection; a socket still in its TLS handshake is counted as pending; half a TLS
 * configuration stops the node at start.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsTest {
  @RegisterExtension
  static final Nodes<CourierNode> nodes = InProcessNodes.named("tls").tokensLasting(Duration.ofMinutes(5));

  @TempDir
  static Path dir;
  OpenSsl.KeyAndCert cert;
  Vertx client;
  CourierNode node;

  @BeforeAll
  void start() {
    cert = OpenSsl.selfSigned(dir, "node", false);
    CourierConfig cfg = nodes.config()
        .with(ConfigKeys.GATEWAY_INSTANCES, 1)
        .with(ConfigKeys.TLS_CERT_FILE, cert.cert()).with(ConfigKeys.TLS_KEY_FILE, cert.key());
    node = nodes.start(cfg);
    client = nodes.client();
  }

  private WebSocketClientOptions trusting() {
    return new WebSocketClientOptions().setSsl(true).setTrustOptions(new PemTrustOptions().addCertPath(cert.cert().toString()));
  }

  @Test
  void wssWorksForAClientThatTrustsTheCertificate() {
    String user = "secure-" + UUID.randomUUID();
    try (WsProbe p = WsProbe.connect(client, trusting(), WsProbe.options(node.port(), nodes.token(user)).setSsl(true))) {
      assertThat(p.next("welcome").getString("userId")).isEqualTo(user);
      p.send(new io.vertx.core.json.JsonObject().put("type", "ping"));
      p.next("pong");
    }
    // Refusals are still plain HTTP, inside TLS.
    assertThatThrownBy(() -> WsProbe.connect(client, trusting(), WsProbe.options(node.port(), "bad.bad.bad").setSsl(true)))
        .isInstanceOfSatisfying(UpgradeRejectedException.class, e -> assertThat(e.getStatus()).isEqualTo(401));
  }

  @Test
  void theOtherRoutesAreHttps() {
    HttpClient https = client.createHttpClient(new HttpClientOptions().setSsl(true)
        .setTrustOptions(new PemTrustOptions().addCertPath(cert.cert().toString())));
    try {
      int status = https.request(HttpMethod.GET, node.port(), "127.0.0.1", "/health/live")
          .compose(req -> req.send().map(resp -> resp.statusCode())).await();
      assertThat(status).isEqualTo(200);
    } finally {
      https.close().await();
    }
  }

  @Test
  void plainWsAndUntrustingClientsGetNoConnection() {
    assertThatThrownBy(() -> WsProbe.connect(client, node.port(), nodes.token("plain-" + UUID.randomUUID())))
        .isNotInstanceOf(UpgradeRejectedException.class);
    // TLS with the JVM's default trust store: the self-signed certificate is not trusted.
    assertThatThrownBy(() -> WsProbe.connect(client, new WebSocketClientOptions().setSsl(true),
        WsProbe.options(node.port(), nodes.token("doubter-" + UUID.randomUUID())).setSsl(true)))
        .isNotInstanceOf(UpgradeRejectedException.class)
        .satisfies(e -> assertThat(rootMessage(e)).containsIgnoringCase("certification path"));
  }

  @Test
  void aSocketStillInItsTlsHandshakeHoldsAPendingPlaceUntilItCloses() throws Exception {
    // A completed TLS connection first: the listener counts its sockets from the first one it announces.
    theOtherRoutesAreHttps();
    // That client's connection (and any other test's) gives its place back as it closes.
    awaitPending(0);
    try (RawSocket silent = RawSocket.open(node.port())) {
      // It never starts TLS: Vert.x never announces it, and it is counted from accept all the same.
      awaitPending(1);
      assertThat(silent.awaitClosed(200)).isEqualTo(-1);
    }
    awaitPending(0);
  }

  private double pending() {
    return node.context().metrics().find(MetricNames.HANDSHAKES_PENDING).gauge().value();
  }

  private void awaitPending(double expected) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (pending() != expected) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("pending sockets: " + pending() + ", expected " + expected);
      }
      Thread.sleep(10);
    }
  }

  private static String rootMessage(Throwable t) {
    StringBuilder b = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      b.append(c).append(" / ");
    }
    return b.toString();
  }

  @Test
  void halfATlsConfigurationStopsTheNodeAtStart() {
    CourierConfig cfg = TestCluster.config(Ports.uniqueName("tls-half")).with(ConfigKeys.JWT_SECRET, nodes.secret());
    assertThat(CourierNode.start(cfg.with(ConfigKeys.TLS_CERT_FILE, cert.cert())).cause())
        .hasMessageContaining("TLS needs both COURIER_TLS_CERT_FILE and COURIER_TLS_KEY_FILE");
    assertThat(CourierNode.start(cfg.with(ConfigKeys.TLS_CERT_FILE, cert.cert())
            .with(ConfigKeys.TLS_KEY_FILE, dir.resolve("missing-key.pem"))).cause())
        .hasMessageContaining("COURIER_TLS_KEY_FILE: no readable file");
  }
}
