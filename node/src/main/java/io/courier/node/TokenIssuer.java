package io.courier.node;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Mints HS256 tokens signed with the node's secret: for `courier token`, tests and the load
 * generator. A production deployment has its own identity provider; this exists so anyone can
 * try a node in a minute.
 */
public final class TokenIssuer {
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private TokenIssuer() {}

  public static String issue(String secret, String userId, Duration ttl, List<String> rooms) {
    return issue(secret, userId, ttl, rooms, List.of());
  }

  /** With {@code roles} ("admin" for the admin endpoints, "service" for the TCP bridge) as the {@code roles} claim when non-empty. */
  public static String issue(String secret, String userId, Duration ttl, List<String> rooms, List<String> roles) {
    long now = System.currentTimeMillis() / 1000;
    JsonObject claims = new JsonObject().put("sub", userId).put("iat", now).put("exp", now + ttl.toSeconds())
        .put("jti", UUID.randomUUID().toString());
    if (rooms != null && !rooms.isEmpty()) {
      claims.put("rooms", new JsonArray(rooms));
    }
    if (roles != null && !roles.isEmpty()) {
      claims.put("roles", new JsonArray(roles));
    }
    return sign(secret, claims);
  }

  /** Signs arbitrary claims (tests use it for tokens without exp, expired ones, and so on). */
  public static String sign(String secret, JsonObject claims) {
    String header = B64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    String payload = B64.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8));
    String signingInput = header + "." + payload;
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return signingInput + "." + B64.encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Parses 90s, 15m, 1h, 7d, 500ms (and plain seconds). */
  public static Duration parseDuration(String text) {
    String t = text.trim().toLowerCase(java.util.Locale.ROOT);
    try {
      if (t.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
      }
      char unit = t.charAt(t.length() - 1);
      if (Character.isDigit(unit)) {
        return Duration.ofSeconds(Long.parseLong(t));
      }
      long n = Long.parseLong(t.substring(0, t.length() - 1));
      return switch (unit) {
        case 's' -> Duration.ofSeconds(n);
        case 'm' -> Duration.ofMinutes(n);
        case 'h' -> Duration.ofHours(n);
        case 'd' -> Duration.ofDays(n);
        default -> throw new IllegalArgumentException();
      };
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a duration: '" + text + "' (use e.g. 90s, 15m, 1h, 7d)");
    }
  }
}
