package io.courier.protocol;

/** Metric names (Prometheus conventions once exported: dots become underscores). */
public final class MetricNames {
  private MetricNames() {}

  public static final String CONNECTIONS_ACTIVE = "courier.connections.active";
  public static final String CONNECTIONS_OPENED = "courier.connections.opened";
  public static final String CONNECTIONS_CLOSED = "courier.connections.closed";
  public static final String HANDSHAKE_REJECTED = "courier.handshake.rejected";
  public static final String FRAMES_IN = "courier.frames.in";
  public static final String FRAMES_OUT = "courier.frames.out";
  public static final String MESSAGES_STORED = "courier.messages.stored";
  public static final String MESSAGES_DUPLICATE = "courier.messages.duplicate";
  public static final String RETRANSMITS = "courier.retransmits";
  public static final String SYNC_TRUNCATED = "courier.sync.truncated";
  public static final String DELIVERY_LATENCY = "courier.delivery.latency";
  public static final String STORE_LATENCY = "courier.store.latency";
}
