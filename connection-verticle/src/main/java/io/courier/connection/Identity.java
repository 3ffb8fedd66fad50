package io.courier.connection;

import java.util.List;

/**
 * Who a token belongs to, from a verified token. Times are epoch milliseconds. {@code roles} is the
 * token's {@code roles} claim (strings only); a service on the TCP bridge needs {@code "service"}.
 */
record Identity(String userId, long expiresAt, List<String> rooms, String jti, long issuedAt, List<String> roles) {}
