package io.courier.cluster;

/**
 * Builds the node's {@link Presence}. Implementations register themselves for
 * {@link java.util.ServiceLoader} ({@code META-INF/services/io.courier.cluster.PresenceFactory}), so
 * a node, or a test, gets presence from whichever implementation is on its class path without
 * importing it: verticles never depend on the module that implements presence.
 */
public interface PresenceFactory {
  /** Called once per node, by {@link NodeContext#presence()}. */
  Presence create(NodeContext node);
}
