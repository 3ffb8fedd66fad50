package io.courier.client;

/** Where a {@link CourierClient} is in its connection life cycle. */
public enum ConnectionState {
  /** Created; {@link CourierClient#connect()} not called yet. Sends already queue. */
  IDLE,
  /** Getting a token, opening the WebSocket, waiting for {@code welcome}. */
  CONNECTING,
  /** {@code welcome} received: sends flow, the inbox is synced. */
  CONNECTED,
  /** Disconnected; the next attempt starts after {@link StateChange#delayMs()}. */
  RECONNECTING,
  /** Terminal: closed by the application or by a fatal condition ({@link StateChange#cause()}). */
  CLOSED
}
