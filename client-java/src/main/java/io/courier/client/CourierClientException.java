package io.courier.client;

/** Base of every failure the Courier client reports. */
public class CourierClientException extends RuntimeException {
  public CourierClientException(String message) {
    super(message);
  }

  public CourierClientException(String message, Throwable cause) {
    super(message, cause);
  }
}
