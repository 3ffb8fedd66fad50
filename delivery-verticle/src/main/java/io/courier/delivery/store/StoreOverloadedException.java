package io.courier.delivery.store;

/**
 * The store's memory budget is used up ({@code COURIER_STORE_MAX_HEAP_FRACTION}): nothing was
 * written, and the caller answers {@code error overloaded}. A kind of unavailability (the client
 * resends later with the same id), told apart so the client learns why.
 */
public class StoreOverloadedException extends StoreUnavailableException {
  private static final long serialVersionUID = 1L;

  public StoreOverloadedException(String message) {
    super(message, null);
  }
}
