package io.courier.connection;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import java.util.ArrayList;
import java.util.List;

/**
 * Verifies connection tokens with the node's {@link JwtKeys} (HS256, RS256, ES256 as configured).
 * Before any cryptography the header's {@code alg} must be one the node enables, so a key can never
 * be used with an algorithm it was not meant for. Beyond the signature and time checks of
 * vertx-auth-jwt it insists on {@code sub} and {@code exp} (a token without exp would otherwise be
 * valid forever), bounds the lifetime ({@code COURIER_JWT_MAX_LIFETIME_S}: revocations are kept
 * that long, so no token may outlive them), and asks the revocation list. A provider always has a
 * key, so {@code alg: none} is never accepted.
 */
final class TokenVerifier {
  /** Why a token was refused; the name is the metric/log reason. Never carries the token. */
  static final class Rejected extends RuntimeException {
    final String reason;

    Rejected(String reason, String message) {
      super(message, null, false, false);
      this.reason = reason;
    }
  }

  /** The reason of a revoked token: the handshake answers 403 for it, 401 for every other. */
  static final String REVOKED = "revoked";

  private final JWTAuth auth;
  private final JwtKeys keys;
  private final long leewayMs;
  private final long maxLifetimeMs;
  private final RevocationCheck revocations;

  TokenVerifier(Vertx vertx, JwtKeys keys, int leewaySeconds, long maxLifetimeSeconds, RevocationCheck revocations) {
    if (maxLifetimeSeconds <= 0) {
      throw new IllegalArgumentException(ConfigKeys.JWT_MAX_LIFETIME_S.env() + " must be > 0, got " + maxLifetimeSeconds);
    }
    this.keys = keys;
    this.auth = JWTAuth.create(vertx, keys.authOptions(leewaySeconds));
    this.leewayMs = leewaySeconds * 1000L;
    this.maxLifetimeMs = maxLifetimeSeconds * 1000L;
    this.revocations = revocations;
  }

  /** With the node's leeway and lifetime settings from {@code cfg}. */
  TokenVerifier(Vertx vertx, JwtKeys keys, CourierConfig cfg, RevocationCheck revocations) {
    this(vertx, keys, cfg.getInt(ConfigKeys.JWT_LEEWAY_S), cfg.getLong(ConfigKeys.JWT_MAX_LIFETIME_S), revocations);
  }

  /**
   * Whether a token verified earlier has been revoked since. Asked again where a verification and a
   * revocation may cross: as a connection is registered, and as a refreshed token is installed.
   */
  boolean revoked(Identity identity) {
    return revocations.revoked(identity);
  }

  Future<Identity> verify(String token) {
    if (token == null || token.isEmpty()) {
      return Future.failedFuture(new Rejected("missing", "no token"));
    }
    if (token.chars().filter(c -> c == '.').count() != 2) {
      return Future.failedFuture(new Rejected("malformed", "token is not a JWT"));
    }
    String alg = headerAlgorithm(token);
    if (alg == null) {
      return Future.failedFuture(new Rejected("malformed", "token header is not a JWT header"));
    }
    if (!keys.accepts(alg)) {
      return Future.failedFuture(new Rejected("algorithm", "token algorithm not accepted"));
    }
    return auth.authenticate(new TokenCredentials(token))
        .recover(err -> Future.failedFuture(classify(err)))
        .compose(user -> {
          JsonObject claims = claims(user);
          Object sub = claims.getValue("sub");
          Object exp = claims.getValue("exp");
          if (!(sub instanceof String s) || s.isEmpty()) {
            return Future.failedFuture(new Rejected("claims", "token has no sub"));
          }
          if (!(exp instanceof Number e)) {
            return Future.failedFuture(new Rejected("claims", "token has no exp"));
          }
          long iat = claims.getValue("iat") instanceof Number n ? n.longValue() * 1000 : 0;
          long expMs = e.longValue() * 1000;
          // Measured from iat when there is one; from now otherwise (the most the server can know).
          long from = iat > 0 ? iat : System.currentTimeMillis();
          if (expMs - from > maxLifetimeMs + leewayMs) {
            return Future.failedFuture(new Rejected("lifetime", "token lifetime exceeds "
                + ConfigKeys.JWT_MAX_LIFETIME_S.env()));
          }
          String jti = claims.getValue("jti") instanceof String j ? j : null;
          Identity identity = new Identity(s, expMs, strings(claims, "rooms"), jti, iat, strings(claims, "roles"));
          if (revocations.revoked(identity)) {
            return Future.failedFuture(new Rejected(REVOKED, "token revoked"));
          }
          return Future.succeededFuture(identity);
        });
  }

  /** The header's {@code alg}, or null when the header is not a JSON object with a string alg. */
  static String headerAlgorithm(String token) {
    try {
      String header = new String(java.util.Base64.getUrlDecoder().decode(token.substring(0, token.indexOf('.'))),
          java.nio.charset.StandardCharsets.UTF_8);
      return new JsonObject(header).getValue("alg") instanceof String a ? a : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** The strings of an array claim (other elements ignored); empty when absent or not an array. */
  private static List<String> strings(JsonObject claims, String name) {
    List<String> out = new ArrayList<>();
    if (claims.getValue(name) instanceof JsonArray a) {
      for (Object r : a) {
        if (r instanceof String v) {
          out.add(v);
        }
      }
    }
    return List.copyOf(out);
  }

  /**
   * The token's claims. vertx-auth-jwt moves exp/iat/nbf out of the principal into the user's
   * attributes (and keeps the whole payload as accessToken there), so read them from there.
   */
  private static JsonObject claims(io.vertx.ext.auth.User user) {
    JsonObject attrs = user.attributes();
    JsonObject c = attrs != null && attrs.getValue("accessToken") instanceof JsonObject a ? a.copy() : new JsonObject();
    user.principal().forEach(e -> c.put(e.getKey(), e.getValue()));
    if (attrs != null) {
      for (String k : new String[] {"exp", "iat", "nbf"}) {
        if (!c.containsKey(k) && attrs.getValue(k) != null) {
          c.put(k, attrs.getValue(k));
        }
      }
    }
    return c;
  }

  private static Rejected classify(Throwable err) {
    if (err instanceof io.vertx.ext.auth.NoSuchKeyIdException) {
      // The token's kid names no configured key of its algorithm.
      return new Rejected("unknown_key", "no key for the token's kid");
    }
    String m = String.valueOf(err.getMessage()).toLowerCase(java.util.Locale.ROOT);
    if (m.contains("expired")) {
      return new Rejected("expired", "token expired");
    }
    if (m.contains("signature")) {
      return new Rejected("bad_signature", "bad token signature");
    }
    return new Rejected("invalid", "token not accepted");
  }
}
