package io.courier.client;

/**
 * A connection state transition.
 *
 * @param state the new state
 * @param delayMs for {@link ConnectionState#RECONNECTING}: milliseconds until the next attempt; else 0
 * @param cause why the previous connection ended (RECONNECTING) or why the client stopped (CLOSED,
 *     null when the application closed it); null otherwise
 */
public record StateChange(ConnectionState state, long delayMs, Throwable cause) {}
