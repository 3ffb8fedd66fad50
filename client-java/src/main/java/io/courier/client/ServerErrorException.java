package io.courier.client;

/**
 * The server answered a frame with an {@code error} frame, or the client refused a send before it
 * left, for the same reason the server would have ({@code code} is an
 * {@link io.courier.protocol.ErrorCodes} value either way).
 */
public class ServerErrorException extends CourierClientException {
  private final String code;

  public ServerErrorException(String code, String message) {
    super(code + ": " + message);
    this.code = code;
  }

  /** An {@link io.courier.protocol.ErrorCodes} value. */
  public String code() {
    return code;
  }
}
