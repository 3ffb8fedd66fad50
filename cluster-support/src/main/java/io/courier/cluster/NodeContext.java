package io.courier.cluster;

import com.hazelcast.core.HazelcastInstance;
import io.courier.protocol.CourierConfig;

/**
 * What every verticle of one node shares: the node's id, its resolved configuration and the
 * Hazelcast member it runs in. Built once by the launcher (or a test) and handed to verticles.
 */
public record NodeContext(String nodeId, CourierConfig config, HazelcastInstance hazelcast) {}
