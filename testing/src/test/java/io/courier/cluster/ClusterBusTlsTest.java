package io.courier.cluster;

import static io.courier.testing.BusProbes.SHORT;
import static io.courier.testing.BusProbes.assertRefused;
import static io.courier.testing.BusProbes.withBusTls;
import static org.assertj.core.api.Assertions.assertThat;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.testing.OpenSsl;
import io.courier.testing.Ports;
import io.courier.testing.TestCluster;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Event-bus TLS with mutual authentication, on members started the way Courier starts them: two
 * members with certificates of the cluster's CA exchange bus messages; a member of the same
 * Hazelcast cluster with a certificate of another CA, and one without TLS, can neither send to the
 * cluster's addresses nor receive what the cluster sends to theirs. Half a configuration and
 * unreadable files are refused before the member joins.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterBusTlsTest {
  @TempDir
  static Path dir;
  CourierConfig base;
  OpenSsl.Ca ca;
  TestCluster.Member a;
  TestCluster.Member b;
  TestCluster.Member intruder;
  TestCluster.Member plain;

  @BeforeAll
  void start() {
    ca = OpenSsl.ca(dir, "cluster");
    OpenSsl.Ca other = OpenSsl.ca(dir, "other");
    base = TestCluster.config(Ports.uniqueName("bus-tls"));
    int seed = base.getInt(ConfigKeys.CLUSTER_PORT);
    a = TestCluster.start(withBusTls(base, ca, OpenSsl.signed(dir, ca, "node-a")), "tls-a");
    b = TestCluster.join(withBusTls(base, ca, OpenSsl.signed(dir, ca, "node-b")), seed, "tls-b");
    // Both reach the Hazelcast port (which has no authentication) and join; only the bus keeps them out.
    intruder = TestCluster.join(withBusTls(base, other, OpenSsl.signed(dir, other, "intruder")), seed, "tls-intruder");
    plain = TestCluster.join(base, seed, "tls-plain");
    assertThat(a.node().hazelcast().getCluster().getMembers()).hasSize(4);
  }

  @AfterAll
  void stop() {
    Future.join(List.of(close(plain), close(intruder), close(b), close(a))).await();
  }

  private static Future<Void> close(TestCluster.Member m) {
    return m == null ? Future.succeededFuture() : m.vertx().close();
  }

  /** A clustered consumer that answers and counts what it got; registered (in Hazelcast) when this returns. */
  static AtomicInteger answering(Vertx vertx, String address) {
    AtomicInteger got = new AtomicInteger();
    MessageConsumer<String> c = vertx.eventBus().consumer(address, m -> {
      got.incrementAndGet();
      m.reply("pong from " + address);
    });
    c.completion().await();
    return got;
  }

  @Test
  void membersWithCertificatesOfTheClusterCaExchangeMessages() {
    String address = "probe." + UUID.randomUUID();
    AtomicInteger got = answering(b.vertx(), address);
    Object reply = a.vertx().eventBus().request(address, "ping", SHORT).await().body();
    assertThat(reply).isEqualTo("pong from " + address);
    assertThat(got).hasValue(1);
  }

  @Test
  void membersWithoutSuchACertificateCannotSendToTheCluster() {
    String address = "probe." + UUID.randomUUID();
    AtomicInteger got = answering(b.vertx(), address);
    for (TestCluster.Member outsider : List.of(intruder, plain)) {
      assertRefused(outsider.vertx(), address, "injected", outsider.node().nodeId());
    }
    assertThat(got).hasValue(0);
    // The same address answers a member of the cluster: what failed was the outsiders' connection.
    assertThat(a.vertx().eventBus().request(address, "ping", SHORT).await().body()).isEqualTo("pong from " + address);
  }

  @Test
  void membersWithoutSuchACertificateReceiveNothingTheClusterSends() {
    for (TestCluster.Member outsider : List.of(intruder, plain)) {
      String address = "probe." + UUID.randomUUID();
      AtomicInteger got = answering(outsider.vertx(), address);
      assertRefused(a.vertx(), address, "secret", outsider.node().nodeId());
      assertThat(got).as(outsider.node().nodeId()).hasValue(0);
    }
  }

  @Test
  void partialOrUnreadableConfigurationIsRefusedBeforeJoining() throws Exception {
    OpenSsl.KeyAndCert node = OpenSsl.signed(dir, ca, "node-c");
    // The cluster's name and seed: were any of these started, it would join a's cluster.
    CourierConfig cfg = base.with(ConfigKeys.CLUSTER_PORT, Ports.free())
        .with(ConfigKeys.CLUSTER_MEMBERS, "127.0.0.1:" + base.getInt(ConfigKeys.CLUSTER_PORT));
    assertThat(startFailure(cfg.with(ConfigKeys.CLUSTER_TLS_CERT_FILE, node.cert())))
        .hasMessageContaining("COURIER_CLUSTER_TLS_KEY_FILE and COURIER_CLUSTER_TLS_CA_FILE are not set");
    assertThat(startFailure(cfg.with(ConfigKeys.CLUSTER_TLS_CERT_FILE, node.cert())
        .with(ConfigKeys.CLUSTER_TLS_KEY_FILE, node.key())))
        .hasMessageContaining("COURIER_CLUSTER_TLS_CA_FILE is not set");
    assertThat(startFailure(withBusTls(cfg, ca, node).with(ConfigKeys.CLUSTER_TLS_CA_FILE, dir.resolve("missing.pem"))))
        .hasMessageContaining("COURIER_CLUSTER_TLS_CA_FILE: no readable file at");
    Path notPem = Files.writeString(dir.resolve("not-pem.txt"), "hello");
    assertThat(startFailure(withBusTls(cfg, ca, node).with(ConfigKeys.CLUSTER_TLS_CERT_FILE, notPem)))
        .hasMessageContaining("COURIER_CLUSTER_TLS_CERT_FILE: no PEM certificate in");
    assertThat(startFailure(withBusTls(cfg, ca, node).with(ConfigKeys.CLUSTER_TLS_KEY_FILE, node.cert())))
        .hasMessageContaining("COURIER_CLUSTER_TLS_KEY_FILE: no PEM private key in");
    assertThat(startFailure(cfg.with(ConfigKeys.CLUSTER_BUS_PORT, 70000)))
        .hasMessageContaining("COURIER_CLUSTER_BUS_PORT must be 0-65535");
    assertThat(startFailure(cfg.with(ConfigKeys.CLUSTER_BUS_PORT, cfg.getInt(ConfigKeys.CLUSTER_PORT))))
        .hasMessageContaining("COURIER_CLUSTER_BUS_PORT must differ from COURIER_CLUSTER_PORT");
  }

  /** The failure of a start that must fail at once, before Hazelcast starts (no member joins). */
  private Throwable startFailure(CourierConfig cfg) {
    int before = a.node().hazelcast().getCluster().getMembers().size();
    Future<ClusterSetup.Started> f = ClusterSetup.startClusteredVertx(cfg, "refused", new io.vertx.core.VertxOptions());
    assertThat(f.failed()).as("failed at once").isTrue();
    assertThat(a.node().hazelcast().getCluster().getMembers()).hasSize(before);
    return f.cause();
  }
}
