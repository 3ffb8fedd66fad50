package io.courier.node;

import io.courier.testing.Ports;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * A cluster of {@link NodeProcess}es for one test: a unique cluster name, one JWT secret, and every
 * node after the first joining the first by its explicit {@code 127.0.0.1:<port>}, so joins are fast
 * and never reach another cluster on the machine. {@link #close()} kills whatever still runs.
 */
public final class ProcessCluster implements AutoCloseable {
  private final String name;
  private final String secret = "process-cluster-" + UUID.randomUUID();
  private final Map<String, String> common;
  private final Path logDir;
  private final List<NodeProcess> nodes = new ArrayList<>();

  /** {@code common}: settings every node gets (e.g. COURIER_STORE); per-node ones win. */
  public ProcessCluster(String testName, Map<String, String> common) {
    this.name = Ports.uniqueName(testName);
    this.common = Map.copyOf(common);
    this.logDir = Path.of("target", "node-processes", name).toAbsolutePath();
  }

  public String name() {
    return name;
  }

  public String secret() {
    return secret;
  }

  public Path logDir() {
    return logDir;
  }

  /** Starts a node running {@code verticles} (comma list); returns at once. */
  public NodeProcess start(String nodeId, String verticles) {
    return start(nodeId, verticles, Map.of());
  }

  public NodeProcess start(String nodeId, String verticles, Map<String, String> extra) {
    return start(nodeId, verticles, extra, List.of());
  }

  /** With {@code jvmFlags} after {@link NodeProcess#JVM_FLAGS} (e.g. another -Xmx). */
  public NodeProcess start(String nodeId, String verticles, Map<String, String> extra, List<String> jvmFlags) {
    Map<String, String> env = new LinkedHashMap<>(common);
    env.put("COURIER_VERTICLES", verticles);
    env.put("COURIER_HOST", "127.0.0.1");
    env.put("COURIER_PORT", String.valueOf(Ports.free()));
    env.put("COURIER_CLUSTER_NAME", name);
    env.put("COURIER_CLUSTER_HOST", "127.0.0.1");
    env.put("COURIER_CLUSTER_PORT", String.valueOf(Ports.free()));
    env.put("COURIER_JWT_SECRET", secret);
    env.put("COURIER_GATEWAY_INSTANCES", "1");
    if (!nodes.isEmpty()) {
      env.put("COURIER_CLUSTER_MEMBERS", "127.0.0.1:" + nodes.get(0).clusterPort());
    }
    env.putAll(extra);
    NodeProcess p = NodeProcess.start(nodeId, env, logDir, jvmFlags);
    nodes.add(p);
    return p;
  }

  /** The nodes started so far, in start order. */
  public List<NodeProcess> nodes() {
    return List.copyOf(nodes);
  }

  public List<NodeProcess> alive() {
    return nodes.stream().filter(NodeProcess::isAlive).toList();
  }

  /**
   * Waits until every live node has started and every one of them sees exactly the live nodes as
   * the cluster's members.
   */
  public void awaitFormed(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (NodeProcess n : alive()) {
      n.awaitStarted(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
    }
    awaitMembers(alive().size(), Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
  }

  /** Waits until every live node reports {@code expected} members. */
  public void awaitMembers(int expected, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!alive().stream().allMatch(n -> n.members() == expected)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("cluster " + name + " did not reach " + expected + " members: "
            + alive().stream().map(n -> n.nodeId() + "=" + n.members()).collect(Collectors.joining(", "))
            + "\n" + alive().stream().map(NodeProcess::diagnostics).collect(Collectors.joining("\n")));
      }
      NodeProcess.pause(20);
    }
  }

  @Override
  public void close() {
    nodes.forEach(NodeProcess::close);
  }
}
