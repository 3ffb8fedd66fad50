package io.courier.connection;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * Verifies connection tokens (HS256 with the configured secret). Beyond the signature and time
 * checks of vertx-auth-jwt it insists on {@code sub} and {@code exp}: a token without exp would
 * otherwise be valid forever. A provider always has a key, so {@code alg: none} is never accepted.
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

  private final JWTAuth auth;

  TokenVerifier(Vertx vertx, String hsSecret, int leewaySeconds) {
    if (hsSecret == null || hsSecret.isEmpty()) {
      throw new IllegalArgumentException("a JWT secret is required");
    }
    this.auth = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(hsSecret))
        .setJWTOptions(new JWTOptions().setLeeway(leewaySeconds)));
  }

  Future<Identity> verify(String token) {
    if (token == null || token.isEmpty()) {
      return Future.failedFuture(new Rejected("missing", "no token"));
    }
    if (token.chars().filter(c -> c == '.').count() != 2) {
      return Future.failedFuture(new Rejected("malformed", "token is not a JWT"));
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
          List<String> rooms = strings(claims.getValue("rooms"));
          List<String> roles = strings(claims.getValue("roles"));
          long iat = claims.getValue("iat") instanceof Number n ? n.longValue() * 1000 : 0;
          String jti = claims.getValue("jti") instanceof String j ? j : null;
          return Future.succeededFuture(new Identity(s, e.longValue() * 1000, rooms, jti, iat, roles));
        });
  }

  /** The strings of a JSON array claim; anything else (absent, not an array) is empty. */
  private static List<String> strings(Object claim) {
    List<String> out = new ArrayList<>();
    if (claim instanceof JsonArray a) {
      for (Object o : a) {
        if (o instanceof String str) {
          out.add(str);
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
