package io.courier.client;

/** What the server said in the {@code welcome} of the current (or last) connection. */
public record SessionInfo(String sessionId, String userId, String nodeId, String epoch, long serverLastSeq,
                          long heartbeatMs, long expiresAt) {}
