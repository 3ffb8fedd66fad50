package io.courier.connection.auth;

import java.util.List;

/**
 * Who a connection (or an admin call) belongs to, from a verified token. Times are epoch
 * milliseconds. {@code roles} is the token's optional {@code roles} claim (strings only): "admin" for
 * the admin endpoints, "service" for the TCP bridge.
 */
public record Identity(String userId, long expiresAt, List<String> rooms, String jti, long issuedAt, List<String> roles) {}
