package io.courier.client;

/**
 * The client is closed (by {@link CourierClient#close()} or a fatal condition, which is the cause):
 * pending and new operations fail with this.
 */
public class ClientClosedException extends CourierClientException {
  public ClientClosedException(String message, Throwable cause) {
    super(message, cause);
  }
}
