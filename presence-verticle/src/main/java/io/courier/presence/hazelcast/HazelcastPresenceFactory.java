package io.courier.presence.hazelcast;

import io.courier.cluster.NodeContext;
import io.courier.cluster.Presence;
import io.courier.cluster.PresenceFactory;

/** The node's presence in its Hazelcast cluster (registered for {@link java.util.ServiceLoader}). */
public final class HazelcastPresenceFactory implements PresenceFactory {
  @Override
  public Presence create(NodeContext node) {
    return new HazelcastPresence(node.vertx(), node.hazelcast(), node.metrics());
  }
}
