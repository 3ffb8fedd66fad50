package io.courier.connection.auth;

import io.courier.protocol.Bus;
import io.courier.protocol.MetricNames;
import io.courier.protocol.bus.RevocationNotice;
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

  /** The event-bus document published to every node ({@link RevocationNotice}). */
  JsonObject toBus() {
    return (kind == Kind.USER ? new RevocationNotice(subject, null, at) : new RevocationNotice(null, subject, at)).toJson();
  }

  /** The revocation of a published document, or null when the document is not one this node can read. */
  static Revocation fromBus(JsonObject body) {
    RevocationNotice n = Bus.readable(body) ? RevocationNotice.fromJson(body) : null;
    if (n == null) {
      return null;
    }
    try {
      return n.user() != null ? new Revocation(Kind.USER, n.user(), n.at()) : new Revocation(Kind.JTI, n.jti(), n.at());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
