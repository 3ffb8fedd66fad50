package io.courier.connection.auth;

import io.courier.protocol.Bus;
import io.courier.protocol.MetricNames;
import io.vertx.core.json.JsonObject;

/**
 * One revocation. A user revocation covers every token of {@code subject} issued at or before
 * {@code at} (and every token of that user without {@code iat}: its issue time is unknown, so it is
 * refused); a jti revocation covers the one token with that {@code jti}. {@code at} is epoch ms.
 */
public record Revocation(Kind kind, String subject, long at) {
  /** Longest user id or jti accepted by the admin endpoint (and in the cluster's map keys). */
  public static final int MAX_SUBJECT = 256;

  public enum Kind {
    USER("u:", MetricNames.KIND_USER),
    JTI("j:", MetricNames.KIND_JTI);

    final String prefix;
    public final String label;

    Kind(String prefix, String label) {
      this.prefix = prefix;
      this.label = label;
    }
  }

  public Revocation {
    if (kind == null || subject == null || subject.isEmpty() || subject.length() > MAX_SUBJECT) {
      throw new IllegalArgumentException("a revocation needs a kind and a subject of 1-" + MAX_SUBJECT + " characters");
    }
  }

  /** The key in the cluster map and the local list: {@code u:<user>} or {@code j:<jti>}. */
  String key() {
    return kind.prefix + subject;
  }

  /** The revocation a map key and value stand for, or null for a key of no known kind. */
  static Revocation fromKey(String key, long at) {
    for (Kind k : Kind.values()) {
      if (key.startsWith(k.prefix) && key.length() > k.prefix.length()) {
        return new Revocation(k, key.substring(k.prefix.length()), at);
      }
    }
    return null;
  }

  /** True if this revocation covers a token of {@code userId} with {@code jti} issued at {@code issuedAtMs} (0: no iat). */
  boolean covers(String userId, String jti, long issuedAtMs) {
    return switch (kind) {
      case USER -> subject.equals(userId) && (issuedAtMs <= 0 || issuedAtMs <= at);
      case JTI -> subject.equals(jti);
    };
  }

  /** The event-bus document published to every node. */
  JsonObject toBus() {
    return new JsonObject().put(Bus.V, Bus.VERSION).put(kind == Kind.USER ? Bus.USER : Bus.JTI, subject)
        .put(Bus.AT, at);
  }

  /** The revocation of a published document, or null when the document is not one this node can read. */
  static Revocation fromBus(JsonObject body) {
    if (body == null || !(body.getValue(Bus.V) instanceof Integer v) || v > Bus.VERSION
        || !(body.getValue(Bus.AT) instanceof Number at)) {
      return null;
    }
    try {
      if (body.getValue(Bus.USER) instanceof String u) {
        return new Revocation(Kind.USER, u, at.longValue());
      }
      if (body.getValue(Bus.JTI) instanceof String j) {
        return new Revocation(Kind.JTI, j, at.longValue());
      }
    } catch (IllegalArgumentException e) {
      return null;
    }
    return null;
  }
}
