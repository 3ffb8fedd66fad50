package io.courier.connection;

/**
 * What a {@link Session} writes to: a raw WebSocket ({@link WsTransport}) or a SockJS event-bus
 * bridge socket ({@link BridgeSocket}). Every method runs on the session's context.
 */
interface Transport {
  /** Writes one server frame (a JSON object as text). */
  void write(String frame);

  void close(short code, String reason);

  /** A transport-level liveness probe; SockJS sends its own heartbeats, so it may do nothing. */
  void ping();

  boolean writeQueueFull();

  void drainHandler(Runnable onDrained);

  /** For the disconnect log line: the close code seen, or null. */
  Short closeStatusCode();

  String closeReason();
}
