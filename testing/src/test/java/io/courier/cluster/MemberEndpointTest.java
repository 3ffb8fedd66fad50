package io.courier.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.testing.Ports;
import io.courier.testing.TestCluster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Courier member's Hazelcast port speaks the member protocol and nothing else: a Hazelcast client
 * given the cluster name and the member's address cannot connect, and HTTP (REST) and memcache get
 * no answer but Hazelcast's refusal, even when the cluster.xml turns them on. A plain Hazelcast member, configured the same
 * way the client and the probes expect, shows that they would have worked.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MemberEndpointTest {
  /** A cluster.xml asking for everything Courier must not expose. */
  static final String OPEN_XML = """
      <hazelcast xmlns="http://www.hazelcast.com/schema/config">
        <network>
          <rest-api enabled="true">
            <endpoint-group name="CLUSTER_READ" enabled="true"/>
            <endpoint-group name="HEALTH_CHECK" enabled="true"/>
            <endpoint-group name="DATA" enabled="true"/>
          </rest-api>
          <memcache-protocol enabled="true"/>
        </network>
        <multimap name="__vertx.subs"><backup-count>1</backup-count><value-collection-type>SET</value-collection-type></multimap>
        <map name="__vertx.haInfo"><backup-count>1</backup-count></map>
        <map name="__vertx.nodeInfo"><backup-count>1</backup-count></map>
      </hazelcast>
      """;

  @TempDir
  static Path dir;
  String clusterName;
  TestCluster.Member courier;
  int courierPort;
  HazelcastInstance plain;
  int plainPort;

  @BeforeAll
  void start() throws IOException {
    Path xml = dir.resolve("open-cluster.xml");
    Files.writeString(xml, OPEN_XML);
    clusterName = Ports.uniqueName("endpoint");
    CourierConfig cfg = TestCluster.config(clusterName).with(ConfigKeys.CLUSTER_CONFIG, xml);
    courier = TestCluster.start(cfg, "endpoint-a");
    courierPort = courier.node().hazelcast().getCluster().getLocalMember().getAddress().getPort();

    // The control: Hazelcast's own network config with the same REST/memcache wishes, loopback only.
    Config open = new Config().setClusterName(Ports.uniqueName("plain"));
    open.setProperty("hazelcast.phone.home.enabled", "false");
    open.setProperty("hazelcast.socket.bind.any", "false"); // loopback only, as every test socket
    open.getNetworkConfig().setPort(Ports.free()).setPortAutoIncrement(false);
    open.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    open.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
    open.getNetworkConfig().getJoin().getAutoDetectionConfig().setEnabled(false);
    open.getNetworkConfig().getRestApiConfig().setEnabled(true).enableAllGroups();
    open.getNetworkConfig().getMemcacheProtocolConfig().setEnabled(true);
    plain = Hazelcast.newHazelcastInstance(open);
    plainPort = plain.getCluster().getLocalMember().getAddress().getPort();
    plain.getMap(Maps.INBOXES).put("alice", "a message");
  }

  @AfterAll
  void stop() {
    if (plain != null) {
      plain.shutdown();
    }
    if (courier != null) {
      courier.vertx().close().await();
    }
  }

  static ClientConfig client(String clusterName, int port) {
    ClientConfig c = new ClientConfig().setClusterName(clusterName);
    c.setProperty("hazelcast.phone.home.enabled", "false");
    c.getNetworkConfig().addAddress("127.0.0.1:" + port).setSmartRouting(false).setConnectionTimeout(2000);
    c.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(4000)
        .setInitialBackoffMillis(200).setMaxBackoffMillis(500);
    return c;
  }

  @Test
  void aHazelcastClientCannotConnectToACourierMember() {
    courier.node().hazelcast().getMap(Maps.INBOXES).put("alice", "a message");
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> HazelcastClient.newHazelcastClient(client(clusterName, courierPort)).shutdown())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Unable to connect");
    assertThat(System.nanoTime() - t0).isLessThan(30_000_000_000L);
  }

  @Test
  void theSameClientReadsTheMapsOfAMemberThatServesClients() {
    HazelcastInstance c = HazelcastClient.newHazelcastClient(client(plain.getConfig().getClusterName(), plainPort));
    try {
      assertThat(c.getMap(Maps.INBOXES).get("alice")).isEqualTo("a message");
    } finally {
      c.shutdown();
    }
  }

  @Test
  void restAndMemcacheGetNoAnswer() throws IOException {
    String rest = "GET /hazelcast/health/ready HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    String memcache = "stats\r\n";
    assertThat(exchange(plainPort, rest)).startsWith("HTTP/1.1 200");
    assertThat(exchange(plainPort, memcache)).contains("STAT");
    // Nothing, or "HZX": the member's "not a protocol I serve" before it closes the connection.
    assertThat(exchange(courierPort, rest)).isIn("", "HZX");
    assertThat(exchange(courierPort, memcache)).isIn("", "HZX");
  }

  @Test
  void aBusyPortIsSkippedTheBusPortIsTheOneSetAndMembersJoinOnTheMemberEndpoint() throws Exception {
    CourierConfig cfg = TestCluster.config(Ports.uniqueName("endpoint-join"));
    int wanted = cfg.getInt(ConfigKeys.CLUSTER_PORT);
    int busPort = Ports.free();
    TestCluster.Member first = null;
    TestCluster.Member second = null;
    try (java.net.ServerSocket busy = new java.net.ServerSocket()) {
      busy.bind(new InetSocketAddress("127.0.0.1", wanted));
      first = TestCluster.start(cfg.with(ConfigKeys.CLUSTER_BUS_PORT, busPort), "join-a");
      int actual = first.node().hazelcast().getCluster().getLocalMember().getAddress().getPort();
      assertThat(actual).isGreaterThan(wanted).isLessThan(wanted + 100);
      assertThatThrownBy(() -> {
        try (java.net.ServerSocket taken = new java.net.ServerSocket()) {
          taken.bind(new InetSocketAddress("127.0.0.1", busPort));
        }
      }).as("the event bus listens on COURIER_CLUSTER_BUS_PORT").isInstanceOf(java.net.BindException.class);
      second = TestCluster.join(cfg, actual, "join-b");
      assertThat(first.node().hazelcast().getCluster().getMembers()).hasSize(2)
          .extracting(m -> m.getAttribute(Maps.NODE_ID_ATTRIBUTE)).containsExactlyInAnyOrder("join-a", "join-b");
      // The clustered event bus works across the two, on the member-only network config.
      String address = "endpoint." + java.util.UUID.randomUUID();
      second.vertx().eventBus().consumer(address, m -> m.reply("pong")).completion().await();
      assertThat(first.vertx().eventBus().request(address, "ping").await().body()).isEqualTo("pong");
    } finally {
      if (second != null) {
        second.vertx().close().await();
      }
      if (first != null) {
        first.vertx().close().await();
      }
    }
  }

  @Test
  void aClusterHostThatIsNoInterfaceAddressIsRefusedBeforeHazelcastStarts() {
    // 127.0.0.3 answers on Linux's loopback, but no interface has it as its address.
    assertThat(refused("127.0.0.3")).hasMessage("COURIER_CLUSTER_HOST: 127.0.0.3 is not the address of an interface "
        + "of this host (Hazelcast and the event bus listen there, and only there)");
    assertThat(refused("0.0.0.0")).hasMessageStartingWith("COURIER_CLUSTER_HOST: 0.0.0.0 is not the address");
    assertThat(refused("localhost")).hasMessage("COURIER_CLUSTER_HOST must be an IP address of this host, got 'localhost'");
    assertThat(refused("10.0.*.*")).hasMessageStartingWith("COURIER_CLUSTER_HOST must be an IP address");
  }

  private static Throwable refused(String host) {
    CourierConfig cfg = TestCluster.config(Ports.uniqueName("no-interface")).with(ConfigKeys.CLUSTER_HOST, host);
    io.vertx.core.Future<ClusterSetup.Started> f = ClusterSetup.startClusteredVertx(cfg, "nowhere",
        new io.vertx.core.VertxOptions());
    assertThat(f.failed()).as("refused at once, before Hazelcast starts").isTrue();
    return f.cause();
  }

  /** Writes {@code request}, returns what came back before the member closed the connection (or 3 s passed). */
  static String exchange(int port, String request) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      s.setSoTimeout(3000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[4096];
      try {
        for (int n; (n = in.read(buf)) > 0; ) {
          got.write(buf, 0, n);
          if (got.toString(StandardCharsets.US_ASCII).contains("\r\n")) {
            break; // the first line of an answer is enough
          }
        }
      } catch (SocketTimeoutException | java.net.SocketException closed) {
        // no (more) answer, or the member reset the connection
      }
      return got.toString(StandardCharsets.US_ASCII);
    }
  }
}
