package io.courier.connection;

import java.util.List;

/** Who a connection belongs to, from a verified token. Times are epoch milliseconds. */
record Identity(String userId, long expiresAt, List<String> rooms, String jti, long issuedAt) {}
