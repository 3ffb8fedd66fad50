package io.courier.protocol;

/**
 * Event-bus addresses between Courier's verticles. Every body is a JSON object with a version
 * field {@code v} (see {@link Bus}); shapes are documented in docs/architecture.md.
 *
 * <p>Routing to connections uses ONE clustered consumer per node ({@link #node(String)}), never one
 * per user or connection: every clustered registration is cluster-wide state.
 */
public final class Addresses {
  private Addresses() {}

  /** Request/reply: store a client's {@code send} and fan it out. Served by delivery. */
  public static final String DELIVERY_SEND = "courier.delivery.send";
  /** Request/reply: read a page of an inbox (also used for its head: epoch and lastSeq). */
  public static final String DELIVERY_READ = "courier.delivery.read";
  /** Request/reply: presence of a list of users, cluster-wide. Served by presence. */
  public static final String PRESENCE_QUERY = "courier.presence.query";

  /**
   * Publish: a token revocation ({@link Bus#USER} or {@link Bus#JTI}, {@link Bus#AT}), consumed once
   * per node by the gateway, which closes the matching local connections with 4003.
   */
  public static final String REVOCATIONS = "courier.revocations";

  /** Prefix of the per-node address that receives pushes for connections held by that node. */
  public static final String NODE_PREFIX = "courier.node.";

  public static String node(String nodeId) {
    return NODE_PREFIX + nodeId;
  }
}
