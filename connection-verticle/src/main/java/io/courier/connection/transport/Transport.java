package io.courier.connection.transport;

import io.vertx.core.Future;

/**
 * What a {@link Session} writes to: a raw WebSocket ({@link WsTransport}) or a SockJS event-bus
 * bridge socket ({@link BridgeSocket}). Every method runs on the session's context.
 */
public interface Transport {
  /**
   * Writes one server frame (a JSON object as text). The future completes when the frame has left
   * the server's queue (handed to the kernel) or was dropped with the connection: the session's
   * outbound queue counts frames until then.
   */
  Future<Void> write(String frame);

  /** Starts the closing handshake with a close frame. */
  void close(short code, String reason);

  /** Drops the connection now, without waiting for the peer (it stopped reading or vanished). */
  void abort();

  /** A transport-level liveness probe; SockJS sends its own heartbeats, so it may do nothing. */
  void ping();

  /** For the disconnect log line: the close code seen, or null. */
  Short closeStatusCode();

  String closeReason();
}
