package io.courier.connection.handshake;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Cross-site WebSocket hijacking defence: browsers always send Origin on a WebSocket handshake, so
 * an allowlist of origins refuses pages from elsewhere. Requests without Origin come from
 * non-browser clients (which could forge it anyway) and are allowed. An empty list allows all.
 */
public final class OriginPolicy {
  private final Set<String> allowed;

  public OriginPolicy(List<String> allowed) {
    this.allowed = allowed.stream().map(OriginPolicy::normalize).collect(Collectors.toUnmodifiableSet());
  }

  boolean allowsAll() {
    return allowed.isEmpty();
  }

  public boolean allows(String origin) {
    return origin == null || allowed.isEmpty() || allowed.contains(normalize(origin));
  }

  private static String normalize(String origin) {
    String o = origin.trim().toLowerCase(Locale.ROOT);
    return o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
  }
}
