package io.courier.connection.auth;

import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's copy of the cluster's revocations: what every handshake, refresh and admin call is
 * checked against, with two map lookups and no remote call. Entries expire {@code ttlMs} after their
 * revocation, when every token they can cover has expired too. Thread-safe: gateway event loops read
 * it while the bus consumer and the cluster map's listener write it.
 */
final class RevocationList {
  private record Entry(long at, long expiresAt) {}

  private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
  private final long ttlMs;

  RevocationList(long ttlMs) {
    this.ttlMs = ttlMs;
  }

  long ttlMs() {
    return ttlMs;
  }

  /**
   * Adds {@code r}, keeping the later of two revocations of one key (a later user revocation covers
   * more tokens). True if the list changed, so the caller sweeps open connections only once per
   * revocation, whichever way it arrived first.
   */
  boolean apply(Revocation r, long now) {
    long expiresAt = r.at() + ttlMs;
    if (expiresAt <= now) {
      return false;
    }
    boolean[] changed = {false};
    entries.compute(r.key(), (k, old) -> {
      if (old != null && old.at() >= r.at()) {
        return old;
      }
      changed[0] = true;
      return new Entry(r.at(), expiresAt);
    });
    return changed[0];
  }

  /** Forgets {@code key} (the cluster map expired or removed it), unless a later revocation replaced it. */
  void remove(String key, long at) {
    entries.computeIfPresent(key, (k, old) -> old.at() <= at ? null : old);
  }

  boolean revoked(Identity id, long now) {
    return covered(Revocation.Kind.USER.prefix + id.userId(), id, now)
        || (id.jti() != null && covered(Revocation.Kind.JTI.prefix + id.jti(), id, now));
  }

  private boolean covered(String key, Identity id, long now) {
    Entry e = entries.get(key);
    if (e == null || e.expiresAt() <= now) {
      return false;
    }
    Revocation r = Revocation.fromKey(key, e.at());
    return r != null && r.covers(id.userId(), id.jti(), id.issuedAt());
  }

  /** Drops expired entries; returns how many remain. */
  int prune(long now) {
    entries.values().removeIf(e -> e.expiresAt() <= now);
    return entries.size();
  }

  int size() {
    return entries.size();
  }
}
