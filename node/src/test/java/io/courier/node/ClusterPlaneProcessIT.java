package io.courier.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import io.courier.testing.Ports;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The cluster plane of a real node process, seen from outside: every socket it listens on, except
 * the HTTP port (and the metrics port and TCP bridge when they are on), is bound to
 * COURIER_CLUSTER_HOST and to nothing wider; a Hazelcast client that
 * knows the cluster name cannot use its member port; half an event-bus TLS configuration ends the
 * process before it joins anything.
 *
 * <p>The HTTP server is put on 127.0.0.2 so that it is told apart from the cluster sockets on
 * 127.0.0.1 (the cluster host's default); everything else is the node's defaults.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterPlaneProcessIT {
  static final String HTTP_HOST = "127.0.0.2";
  static final String CLUSTER_HOST = "127.0.0.1";

  String clusterName;
  Path logDir;
  NodeProcess node;

  @BeforeAll
  void start() {
    clusterName = Ports.uniqueName("plane");
    logDir = Path.of("target", "node-processes", clusterName).toAbsolutePath();
    Map<String, String> env = new LinkedHashMap<>();
    env.put("COURIER_HOST", HTTP_HOST);
    env.put("COURIER_PORT", String.valueOf(Ports.free()));
    env.put("COURIER_CLUSTER_NAME", clusterName);
    env.put("COURIER_CLUSTER_HOST", CLUSTER_HOST);
    env.put("COURIER_CLUSTER_PORT", String.valueOf(Ports.free()));
    env.put("COURIER_JWT_SECRET", "plane-" + UUID.randomUUID());
    env.put("COURIER_GATEWAY_INSTANCES", "1");
    node = NodeProcess.start("plane-a", env, logDir).awaitStarted(Duration.ofSeconds(90));
  }

  @AfterAll
  void stop() {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void everySocketButTheHttpPortListensOnTheClusterHostOnly() throws Exception {
    InetAddress clusterHost = InetAddress.getByName(CLUSTER_HOST);
    ListeningSockets.Listener http = new ListeningSockets.Listener(InetAddress.getByName(HTTP_HOST), node.port());
    List<ListeningSockets.Listener> all = ListeningSockets.of(node.pid());
    assertThat(all).as("listening sockets of the node").contains(http)
        .noneMatch(ListeningSockets.Listener::anyInterface);
    List<ListeningSockets.Listener> others = all.stream().filter(l -> !l.equals(http)).toList();
    assertThat(others).as("listening sockets other than HTTP")
        .allMatch(l -> l.address().equals(clusterHost), "bound to " + CLUSTER_HOST);
    // The Hazelcast member port and the event bus's (any free port) at least.
    assertThat(others.stream().map(ListeningSockets.Listener::port)).contains(node.clusterPort());
    assertThat(others).hasSizeGreaterThanOrEqualTo(2);
  }

  @Test
  void withTheMetricsPortAndTheTcpBridgeOnTheyAreTheOnlyOthers() throws Exception {
    String bridgeHost = "127.0.0.3";
    Map<String, String> env = new LinkedHashMap<>(node.env());
    env.put("COURIER_PORT", String.valueOf(Ports.free()));
    env.put("COURIER_CLUSTER_PORT", String.valueOf(Ports.free()));
    env.put("COURIER_METRICS_PORT", String.valueOf(Ports.free()));
    env.put("COURIER_TCP_BRIDGE_PORT", String.valueOf(Ports.free()));
    env.put("COURIER_TCP_BRIDGE_HOST", bridgeHost);
    try (NodeProcess more = NodeProcess.start("plane-more", env, logDir).awaitStarted(Duration.ofSeconds(90))) {
      InetAddress httpHost = InetAddress.getByName(HTTP_HOST);
      List<ListeningSockets.Listener> expectedOthers = List.of(
          new ListeningSockets.Listener(httpHost, more.port()),
          new ListeningSockets.Listener(httpHost, Integer.parseInt(env.get("COURIER_METRICS_PORT"))),
          new ListeningSockets.Listener(InetAddress.getByName(bridgeHost), Integer.parseInt(env.get("COURIER_TCP_BRIDGE_PORT"))));
      InetAddress clusterHost = InetAddress.getByName(CLUSTER_HOST);
      List<ListeningSockets.Listener> all = ListeningSockets.of(more.pid());
      assertThat(all).containsAll(expectedOthers).noneMatch(ListeningSockets.Listener::anyInterface);
      assertThat(all.stream().filter(l -> !expectedOthers.contains(l)).toList())
          .allMatch(l -> l.address().equals(clusterHost), "bound to " + CLUSTER_HOST)
          .hasSizeGreaterThanOrEqualTo(2);
    }
  }

  @Test
  void aHazelcastClientCannotUseTheMemberPort() {
    ClientConfig c = new ClientConfig().setClusterName(clusterName);
    c.setProperty("hazelcast.phone.home.enabled", "false");
    c.getNetworkConfig().addAddress(CLUSTER_HOST + ":" + node.clusterPort()).setSmartRouting(false)
        .setConnectionTimeout(2000);
    c.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(4000)
        .setInitialBackoffMillis(200).setMaxBackoffMillis(500);
    assertThatThrownBy(() -> HazelcastClient.newHazelcastClient(c).shutdown())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("Unable to connect");
    assertThat(node.isAlive()).isTrue();
  }

  @Test
  void halfAnEventBusTlsConfigurationEndsTheProcessBeforeItJoins() {
    Map<String, String> env = new LinkedHashMap<>(node.env());
    env.put("COURIER_PORT", String.valueOf(Ports.free()));
    env.put("COURIER_CLUSTER_PORT", String.valueOf(Ports.free()));
    env.put("COURIER_CLUSTER_MEMBERS", CLUSTER_HOST + ":" + node.clusterPort());
    env.put("COURIER_CLUSTER_TLS_CERT_FILE", logDir.resolve("node-cert.pem").toString());
    try (NodeProcess half = NodeProcess.start("plane-half", env, logDir)) {
      assertThat(half.awaitExit(Duration.ofSeconds(60))).as("exit code").isNotZero();
      assertThat(half.stderrText()).contains("COURIER_CLUSTER_TLS_KEY_FILE and COURIER_CLUSTER_TLS_CA_FILE are not set");
      assertThat(half.findLog("node started", j -> true)).isEmpty();
    }
    assertThat(node.findLog("cluster member joined", j -> true)).as("the running node saw no one join").isEmpty();
  }
}
