package io.courier.tokens;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Mints tokens: HS256 with the node's secret, or RS256/ES256 with a private key (PKCS#8 PEM), for
 * `courier token`, tests and the load generator. A production deployment has its own identity
 * provider; this exists so anyone can try a node in a minute, and try public-key setups too.
 * It signs with the JDK alone, so tests check the server's verification against an independent
 * implementation.
 */
public final class TokenIssuer {
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private TokenIssuer() {}

  public static String issue(String secret, String userId, Duration ttl, List<String> rooms) {
    return issue(secret, userId, ttl, rooms, List.of());
  }

  /** With {@code roles} ("admin" for the admin endpoints, "service" for the TCP bridge) as the {@code roles} claim when non-empty. */
  public static String issue(String secret, String userId, Duration ttl, List<String> rooms, List<String> roles) {
    return sign(secret, claims(userId, ttl, rooms, roles));
  }

  /** Like {@link #issue(String, String, Duration, List, List)}, signed with a private key ({@code kid} may be null). */
  public static String issue(PrivateKey key, String kid, String userId, Duration ttl, List<String> rooms,
                             List<String> roles) {
    return sign(key, kid, claims(userId, ttl, rooms, roles));
  }

  /** {@code sub}, {@code iat} (now), {@code exp}, a random {@code jti}, and rooms/roles when given. */
  public static JsonObject claims(String userId, Duration ttl, List<String> rooms, List<String> roles) {
    long now = System.currentTimeMillis() / 1000;
    JsonObject claims = new JsonObject().put("sub", userId).put("iat", now).put("exp", now + ttl.toSeconds())
        .put("jti", UUID.randomUUID().toString());
    if (rooms != null && !rooms.isEmpty()) {
      claims.put("rooms", new JsonArray(rooms));
    }
    if (roles != null && !roles.isEmpty()) {
      claims.put("roles", new JsonArray(roles));
    }
    return claims;
  }

  /**
   * Adds {@code aud} (a string for one audience, an array for several; none when empty) and
   * {@code iss} (none when null) to {@code claims}; returns them.
   */
  public static JsonObject withAudienceAndIssuer(JsonObject claims, List<String> audiences, String issuer) {
    if (audiences != null && audiences.size() == 1) {
      claims.put("aud", audiences.get(0));
    } else if (audiences != null && !audiences.isEmpty()) {
      claims.put("aud", new JsonArray(audiences));
    }
    if (issuer != null && !issuer.isEmpty()) {
      claims.put("iss", issuer);
    }
    return claims;
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

  /** Signs arbitrary claims with an RSA (RS256) or EC P-256 (ES256) private key; {@code kid} goes in the header when set. */
  public static String sign(PrivateKey key, String kid, JsonObject claims) {
    String alg = algorithmFor(key);
    JsonObject header = new JsonObject().put("alg", alg).put("typ", "JWT");
    if (kid != null) {
      header.put("kid", kid);
    }
    String signingInput = B64.encodeToString(header.encode().getBytes(StandardCharsets.UTF_8)) + "."
        + B64.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8));
    try {
      // JWS wants ECDSA's (r, s) as two fixed 32-byte halves (RFC 7518 §3.4): the P1363 format, not DER.
      Signature sig = Signature.getInstance(alg.equals("RS256") ? "SHA256withRSA" : "SHA256withECDSAinP1363Format");
      sig.initSign(key);
      sig.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + B64.encodeToString(sig.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** RS256 for an RSA key, ES256 for an EC key; other keys are refused. */
  public static String algorithmFor(PrivateKey key) {
    if (key instanceof RSAPrivateKey) {
      return "RS256";
    }
    if (key instanceof ECPrivateKey ec) {
      if (ec.getParams().getOrder().bitLength() != 256) {
        throw new IllegalArgumentException("ES256 needs a P-256 key");
      }
      return "ES256";
    }
    throw new IllegalArgumentException("unsupported private key type " + key.getAlgorithm() + " (RSA or EC P-256)");
  }

  /** Reads an unencrypted PKCS#8 PEM private key ({@code -----BEGIN PRIVATE KEY-----}), RSA or EC. */
  public static PrivateKey readPrivateKey(Path file) {
    String pem;
    try {
      pem = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
    }
    int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
    int end = pem.indexOf("-----END PRIVATE KEY-----");
    if (begin < 0 || end < begin) {
      throw new IllegalArgumentException(file + " holds no PKCS#8 private key (-----BEGIN PRIVATE KEY-----); convert "
          + "one with: openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem");
    }
    byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + 27, end).trim());
    for (String type : List.of("RSA", "EC")) {
      try {
        return KeyFactory.getInstance(type).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException notThisType) {
        // try the next type
      }
    }
    throw new IllegalArgumentException(file + " holds neither an RSA nor an EC private key");
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
