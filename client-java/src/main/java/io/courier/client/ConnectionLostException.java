package io.courier.client;

/**
 * An established connection ended without the application asking: closed by the server (with a
 * close code), dropped by the network, or abandoned by the client because it went silent.
 */
public class ConnectionLostException extends CourierClientException {
  /** Close code used when the connection ended without a close frame. */
  public static final int NO_CLOSE_FRAME = 1006;

  private final int closeCode;
  private final String reason;

  public ConnectionLostException(int closeCode, String reason) {
    super("connection lost (" + closeCode + (reason == null || reason.isEmpty() ? "" : ": " + reason) + ")");
    this.closeCode = closeCode;
    this.reason = reason;
  }

  /** The WebSocket close code, {@link #NO_CLOSE_FRAME} when there was none. */
  public int closeCode() {
    return closeCode;
  }

  /** The close reason the server gave, or the client's own description; may be null. */
  public String reason() {
    return reason;
  }
}
