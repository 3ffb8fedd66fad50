package io.courier.connection.auth;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.protocol.ServiceBridge;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Verifies connection tokens with the node's {@link JwtKeys} (HS256, RS256, ES256 as configured).
 * Before any cryptography the header's {@code alg} must be one the node enables, so a key can never
 * be used with an algorithm it was not meant for. Beyond the signature and time checks of
 * vertx-auth-jwt it insists on {@code sub} and {@code exp} (a token without exp would otherwise be
 * valid forever), bounds the lifetime ({@code COURIER_JWT_MAX_LIFETIME_S}: revocations are kept
 * that long, so no token may outlive them), and asks the revocation list. A provider always has a
 * key, so {@code alg: none} is never accepted.
 *
 * <p>With {@code COURIER_JWT_AUDIENCE} / {@code COURIER_JWT_ISSUER} set, a token must name one of
 * those audiences in {@code aud} and one of those issuers in {@code iss}: a token the same identity
 * provider issued for another service is then worthless here. No token may carry a subject in the
 * {@code system:} namespace: that is where the TCP bridge puts services ({@code courier.notify}), so
 * a recipient can trust a {@code system:} sender. Every place a token is read (handshake, refresh,
 * browser bridge, TCP bridge, admin endpoints) goes through here, so the rules hold everywhere.
 */
public final class TokenVerifier {
  /**
   * Why a token was refused; {@code reason} is the metric/log reason, {@link #refusal()} what the
   * client is told. Never carries the token.
   */
  public static final class Rejected extends RuntimeException {
    public final String reason;
    private final String refusal;

    Rejected(String reason, String message) {
      this(reason, message, "token " + reason);
    }

    Rejected(String reason, String message, String refusal) {
      super(message, null, false, false);
      this.reason = reason;
      this.refusal = refusal;
    }

    /** The body of a 401/403 and the reason of a bridge close: {@code token <reason>}. */
    public String refusal() {
      return refusal;
    }
  }

  /** The reason of a revoked token: the handshake answers 403 for it, 401 for every other. */
  public static final String REVOKED = "revoked";
  /** The token's aud names none of COURIER_JWT_AUDIENCE. */
  public static final String AUDIENCE = "audience";
  /** The token's iss is none of COURIER_JWT_ISSUER. */
  public static final String ISSUER = "issuer";
  /** The token's sub is in the services' namespace ({@code system:}). */
  public static final String RESERVED_SUBJECT = "reserved_subject";
  /** What a client is told for {@link #RESERVED_SUBJECT}. */
  static final String RESERVED_SUBJECT_REFUSAL = "token reserved subject";

  private final JWTAuth auth;
  private final JwtKeys keys;
  private final long leewayMs;
  private final long maxLifetimeMs;
  private final RevocationCheck revocations;
  private final Set<String> audiences;
  private final Set<String> issuers;

  public TokenVerifier(Vertx vertx, JwtKeys keys, int leewaySeconds, long maxLifetimeSeconds, RevocationCheck revocations) {
    this(vertx, keys, leewaySeconds, maxLifetimeSeconds, List.of(), List.of(), revocations);
  }

  /**
   * @param audiences accepted {@code aud} values; empty: aud is not checked
   * @param issuers accepted {@code iss} values; empty: iss is not checked
   */
  public TokenVerifier(Vertx vertx, JwtKeys keys, int leewaySeconds, long maxLifetimeSeconds, List<String> audiences,
                List<String> issuers, RevocationCheck revocations) {
    if (maxLifetimeSeconds <= 0) {
      throw new IllegalArgumentException(ConfigKeys.JWT_MAX_LIFETIME_S.env() + " must be > 0, got " + maxLifetimeSeconds);
    }
    this.keys = keys;
    this.auth = JWTAuth.create(vertx, keys.authOptions(leewaySeconds));
    this.leewayMs = leewaySeconds * 1000L;
    this.maxLifetimeMs = maxLifetimeSeconds * 1000L;
    this.revocations = revocations;
    this.audiences = Set.copyOf(audiences);
    this.issuers = Set.copyOf(issuers);
  }

  /** With the node's leeway, lifetime, audience and issuer settings from {@code cfg}. */
  public TokenVerifier(Vertx vertx, JwtKeys keys, CourierConfig cfg, RevocationCheck revocations) {
    this(vertx, keys, cfg.getInt(ConfigKeys.JWT_LEEWAY_S), cfg.getLong(ConfigKeys.JWT_MAX_LIFETIME_S),
        cfg.getList(ConfigKeys.JWT_AUDIENCE), cfg.getList(ConfigKeys.JWT_ISSUER), revocations);
  }

  /**
   * Whether a token verified earlier has been revoked since. Asked again where a verification and a
   * revocation may cross: as a connection is registered, and as a refreshed token is installed.
   */
  public boolean revoked(Identity identity) {
    return revocations.revoked(identity);
  }

  public Future<Identity> verify(String token) {
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
          if (!audiences.isEmpty() && !namesAudience(claims.getValue("aud"))) {
            return Future.failedFuture(new Rejected(AUDIENCE, "token audience"));
          }
          if (!issuers.isEmpty() && !(claims.getValue("iss") instanceof String iss && issuers.contains(iss))) {
            return Future.failedFuture(new Rejected(ISSUER, "token issuer"));
          }
          if (ServiceBridge.isReservedSubject(s)) {
            return Future.failedFuture(new Rejected(RESERVED_SUBJECT, RESERVED_SUBJECT_REFUSAL, RESERVED_SUBJECT_REFUSAL));
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

  /**
   * True if a token's {@code aud} names one of the accepted audiences: RFC 7519 §4.1.3 allows a
   * single string or an array of strings (a token may be meant for several recipients).
   */
  private boolean namesAudience(Object aud) {
    if (aud instanceof String a) {
      return audiences.contains(a);
    }
    if (aud instanceof JsonArray list) {
      for (Object a : list) {
        if (a instanceof String v && audiences.contains(v)) {
          return true;
        }
      }
    }
    return false;
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

  /** The rejection a failed {@link #verify} carries; any other failure counts as {@code invalid}. */
  public static Rejected rejection(Throwable err) {
    return err instanceof Rejected r ? r : new Rejected("invalid", "token not accepted");
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
