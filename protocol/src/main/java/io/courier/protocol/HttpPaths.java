package io.courier.protocol;

/**
 * The HTTP paths a node serves (docs/protocol.md), named once so the gateway, the node's separate
 * metrics server and the clients cannot drift apart.
 */
public final class HttpPaths {
  private HttpPaths() {}

  /** The WebSocket endpoint of the client protocol. */
  public static final String WS = "/ws";
  /** The SockJS event-bus bridge for browsers. */
  public static final String EVENT_BUS = "/eventbus";
  /** Liveness: 200 while the process serves HTTP. */
  public static final String LIVE = "/health/live";
  /** Readiness: 200 when this node can take connections. */
  public static final String READY = "/health/ready";
  /** Prometheus scrape. */
  public static final String METRICS = "/metrics";
}
