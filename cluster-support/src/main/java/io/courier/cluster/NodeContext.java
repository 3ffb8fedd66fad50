package io.courier.cluster;

import com.hazelcast.core.HazelcastInstance;
import io.courier.protocol.CourierConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.ServiceLoader;

/**
 * What every verticle of one node shares: the node's Vert.x, its id, its resolved configuration,
 * the Hazelcast member it runs in, the node's metrics registry ({@link NodeMetrics}) and its
 * {@link Presence}. Built once by the launcher (or a test) and handed to verticles.
 */
public final class NodeContext {
  private final Vertx vertx;
  private final String nodeId;
  private final CourierConfig config;
  private final HazelcastInstance hazelcast;
  private final PrometheusMeterRegistry metrics;
  private Presence presence;
  private final InProcess inProcess = new InProcess();

  public NodeContext(Vertx vertx, String nodeId, CourierConfig config, HazelcastInstance hazelcast,
                     PrometheusMeterRegistry metrics) {
    this.vertx = vertx;
    this.nodeId = nodeId;
    this.config = config;
    this.hazelcast = hazelcast;
    this.metrics = metrics;
  }

  /** A node with a registry of its own that no Vert.x reports into (tests of single verticles). */
  public NodeContext(Vertx vertx, String nodeId, CourierConfig config, HazelcastInstance hazelcast) {
    this(vertx, nodeId, config, hazelcast, NodeMetrics.newRegistry(nodeId));
  }

  public Vertx vertx() {
    return vertx;
  }

  public String nodeId() {
    return nodeId;
  }

  public CourierConfig config() {
    return config;
  }

  public HazelcastInstance hazelcast() {
    return hazelcast;
  }

  public PrometheusMeterRegistry metrics() {
    return metrics;
  }

  /** The node's services that its other verticles call directly ({@link InProcess}). */
  public InProcess inProcess() {
    return inProcess;
  }

  /**
   * The node's presence, built on first use by the one {@link PresenceFactory} on the class path
   * and the same instance for every verticle after that.
   */
  public synchronized Presence presence() {
    if (presence == null) {
      List<PresenceFactory> found = ServiceLoader.load(PresenceFactory.class).stream()
          .map(ServiceLoader.Provider::get).toList();
      if (found.size() != 1) {
        throw new IllegalStateException("expected one " + PresenceFactory.class.getName()
            + " on the class path (the presence-verticle module provides it), found " + found.size() + ": "
            + found.stream().map(f -> f.getClass().getName()).toList());
      }
      presence = found.get(0).create(this);
    }
    return presence;
  }
}
