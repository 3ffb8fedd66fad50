package io.courier.client;

/**
 * The server refused the WebSocket upgrade with an HTTP status: 401 (token missing, malformed,
 * bad signature or expired), 403 (origin not allowed, user revoked), 503 (node full or draining).
 */
public class HandshakeRejectedException extends CourierClientException {
  private final int status;
  private final long retryAfterMs;

  public HandshakeRejectedException(int status, long retryAfterMs, String message) {
    super(message);
    this.status = status;
    this.retryAfterMs = retryAfterMs;
  }

  /** The HTTP status of the refusal. */
  public int status() {
    return status;
  }

  /** The server's {@code Retry-After} in milliseconds, or -1 if it sent none. */
  public long retryAfterMs() {
    return retryAfterMs;
  }
}
