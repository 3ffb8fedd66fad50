package io.courier.client;

/**
 * A request that only makes sense on a live connection (join, leave, presence, watch) was made while
 * disconnected, or the connection ended before the answer came. Sends never fail with this: they wait
 * in the outbox.
 */
public class NotConnectedException extends CourierClientException {
  public NotConnectedException(String message) {
    super(message);
  }
}
