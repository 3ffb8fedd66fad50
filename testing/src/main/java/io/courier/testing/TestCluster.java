package io.courier.testing;

import io.courier.cluster.ClusterSetup;
import io.courier.cluster.NodeContext;
import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

/**
 * Starts real clustered Vert.x members (Hazelcast over loopback) for tests: a unique cluster name
 * per test and explicit member ports, so parallel runs and other clusters on the machine never join.
 */
public final class TestCluster {
  private TestCluster() {}

  /** One member of a cluster. Close with {@code vertx().close()}. */
  public record Member(Vertx vertx, NodeContext node) {}

  /**
   * A base config for one test: unique cluster name, a free member port, loopback only, and no warm-up
   * at start (tests start many nodes; a test of the warm-up turns it on).
   */
  public static CourierConfig config(String clusterName) {
    return CourierConfig.defaults()
        .with(ConfigKeys.WARMUP_MS, 0)
        .with(ConfigKeys.CLUSTER_NAME, clusterName)
        .with(ConfigKeys.CLUSTER_HOST, "127.0.0.1")
        .with(ConfigKeys.CLUSTER_PORT, Ports.free())
        .with(ConfigKeys.HOST, "127.0.0.1")
        .with(ConfigKeys.PORT, 0);
  }

  /** Starts a member with {@code cfg}; blocks the calling (test) thread until it has joined. */
  public static Member start(CourierConfig cfg, String nodeId) {
    ClusterSetup.Started s = ClusterSetup.startClusteredVertx(cfg, nodeId, new VertxOptions()).await();
    return new Member(s.vertx(), new NodeContext(s.vertx(), nodeId, cfg, s.clusterManager().getHazelcastInstance(), s.metrics()));
  }

  /** Starts a member that joins the member at {@code seedPort} (same cluster name as {@code cfg}). */
  public static Member join(CourierConfig cfg, int seedPort, String nodeId) {
    CourierConfig joined = cfg.with(ConfigKeys.CLUSTER_PORT, Ports.free())
        .with(ConfigKeys.CLUSTER_MEMBERS, "127.0.0.1:" + seedPort);
    return start(joined, nodeId);
  }
}
