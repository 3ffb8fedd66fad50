package io.courier.client;

/** A send was refused because the local outbox is at its message or byte limit. */
public class OutboxFullException extends CourierClientException {
  public OutboxFullException(String message) {
    super(message);
  }
}
