package io.courier.cluster;

import com.hazelcast.core.HazelcastInstance;
import io.courier.protocol.CourierConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * What every verticle of one node shares: the node's id, its resolved configuration, the
 * Hazelcast member it runs in and the node's metrics registry ({@link NodeMetrics}). Built once by
 * the launcher (or a test) and handed to verticles.
 */
public record NodeContext(String nodeId, CourierConfig config, HazelcastInstance hazelcast,
                          PrometheusMeterRegistry metrics) {
  /** A node with a registry of its own that no Vert.x reports into (tests of single verticles). */
  public NodeContext(String nodeId, CourierConfig config, HazelcastInstance hazelcast) {
    this(nodeId, config, hazelcast, NodeMetrics.newRegistry(nodeId));
  }
}
