package io.courier.connection.auth;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.tokens.Secrets;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keys tokens are verified with and the signature algorithms accepted, read once at start:
 * HS256 with the secret, RS256/ES256 with public keys from a PEM file and/or a JWKS file. Every
 * problem (an unknown algorithm, an enabled algorithm without a key, a key of a type no enabled
 * algorithm uses, a weak or unreadable key) fails the start with a message naming the setting, so a
 * node never runs with keys other than the operator meant.
 */
public final class JwtKeys {
  public static final String HS256 = "HS256";
  public static final String RS256 = "RS256";
  public static final String ES256 = "ES256";
  static final Set<String> SUPPORTED = Set.of(HS256, RS256, ES256);
  /** Below this, an RSA key is refused: 2048 bits is the floor of current guidance (NIST SP 800-57). */
  static final int MIN_RSA_BITS = 2048;
  private static final Logger LOG = LoggerFactory.getLogger(JwtKeys.class);
  private static final Pattern PEM_BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);

  private final Set<String> algorithms;
  private final String secret;
  private final List<PubSecKeyOptions> pemKeys;
  private final List<JsonObject> jwks;

  private JwtKeys(Set<String> algorithms, String secret, List<PubSecKeyOptions> pemKeys, List<JsonObject> jwks) {
    this.algorithms = Set.copyOf(algorithms);
    this.secret = secret;
    this.pemKeys = List.copyOf(pemKeys);
    this.jwks = List.copyOf(jwks);
  }

  /** HS256 with {@code secret} only: the default deployment, and tests. */
  public static JwtKeys hs256(String secret) {
    if (secret == null || secret.isEmpty()) {
      throw new IllegalArgumentException("a JWT secret is required for HS256");
    }
    Secrets.checkSecret(secret, ConfigKeys.JWT_SECRET.env());
    return new JwtKeys(Set.of(HS256), secret, List.of(), List.of());
  }

  /** The algorithms of {@code COURIER_JWT_ALGORITHMS}, checked. */
  public static Set<String> algorithms(CourierConfig cfg) {
    Set<String> out = new LinkedHashSet<>();
    for (String a : cfg.getList(ConfigKeys.JWT_ALGORITHMS)) {
      String alg = a.toUpperCase(Locale.ROOT);
      if (!SUPPORTED.contains(alg)) {
        throw new IllegalArgumentException(ConfigKeys.JWT_ALGORITHMS.env() + ": unsupported algorithm '" + a
            + "' (supported: HS256, RS256, ES256)");
      }
      out.add(alg);
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(ConfigKeys.JWT_ALGORITHMS.env() + " must name at least one algorithm");
    }
    return out;
  }

  /**
   * Reads the algorithms and key files of {@code cfg}. {@code secret} is asked for only when HS256
   * is enabled, so a node that accepts RS256 alone never creates a development secret.
   */
  public static JwtKeys load(CourierConfig cfg, Supplier<String> secret) {
    Set<String> algs = algorithms(cfg);
    String hs = null;
    if (algs.contains(HS256)) {
      hs = secret.get();
      if (hs == null || hs.isEmpty()) {
        throw new IllegalArgumentException("HS256 is enabled (" + ConfigKeys.JWT_ALGORITHMS.env()
            + ") but there is no secret (" + ConfigKeys.JWT_SECRET.env() + ")");
      }
      Secrets.checkSecret(hs, ConfigKeys.JWT_SECRET.env());
    }
    List<PubSecKeyOptions> pem = new ArrayList<>();
    if (cfg.isSet(ConfigKeys.JWT_PUBLIC_KEY_FILE)) {
      pem.addAll(pemKeys(read(cfg, ConfigKeys.JWT_PUBLIC_KEY_FILE), algs));
    }
    List<JsonObject> jwks = new ArrayList<>();
    if (cfg.isSet(ConfigKeys.JWT_JWKS_FILE)) {
      jwks.addAll(jwks(read(cfg, ConfigKeys.JWT_JWKS_FILE), algs));
    }
    for (String alg : List.of(RS256, ES256)) {
      boolean hasKey = pem.stream().anyMatch(k -> alg.equals(k.getAlgorithm()))
          || jwks.stream().anyMatch(k -> alg.equals(k.getString("alg")));
      if (algs.contains(alg) && !hasKey) {
        throw new IllegalArgumentException(alg + " is enabled (" + ConfigKeys.JWT_ALGORITHMS.env()
            + ") but no " + (alg.equals(RS256) ? "RSA" : "EC P-256") + " key is configured ("
            + ConfigKeys.JWT_PUBLIC_KEY_FILE.env() + " or " + ConfigKeys.JWT_JWKS_FILE.env() + ")");
      }
    }
    return new JwtKeys(algs, hs, pem, jwks);
  }

  /** True if a token whose header names {@code alg} may be verified at all. */
  boolean accepts(String alg) {
    return alg != null && algorithms.contains(alg);
  }

  Set<String> algorithmsEnabled() {
    return algorithms;
  }

  /** The vertx-auth-jwt options with exactly these keys. */
  JWTAuthOptions authOptions(int leewaySeconds) {
    JWTAuthOptions o = new JWTAuthOptions().setJWTOptions(new JWTOptions().setLeeway(leewaySeconds));
    if (secret != null) {
      o.addPubSecKey(new PubSecKeyOptions().setAlgorithm(HS256).setBuffer(secret));
    }
    pemKeys.forEach(k -> o.addPubSecKey(new PubSecKeyOptions(k)));
    jwks.forEach(k -> o.addJwk(k.copy()));
    return o;
  }

  /** For the start log: algorithms and how many keys each has. Never key material. */
  public String describe() {
    List<String> parts = new ArrayList<>();
    for (String alg : List.of(HS256, RS256, ES256)) {
      if (algorithms.contains(alg)) {
        long n = alg.equals(HS256) ? 1 : pemKeys.stream().filter(k -> alg.equals(k.getAlgorithm())).count()
            + jwks.stream().filter(k -> alg.equals(k.getString("alg"))).count();
        parts.add(alg + " (" + n + (n == 1 ? " key)" : " keys)"));
      }
    }
    return String.join(", ", parts);
  }

  private static String read(CourierConfig cfg, io.courier.protocol.Setting s) {
    Path file = cfg.getPath(s);
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException(s.env() + ": cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  // ---- PEM -------------------------------------------------------------------------------------

  /** Every PEM block of {@code text} as an RS256 or ES256 key, by the key's type. */
  static List<PubSecKeyOptions> pemKeys(String text, Set<String> algs) {
    String where = ConfigKeys.JWT_PUBLIC_KEY_FILE.env();
    List<PubSecKeyOptions> out = new ArrayList<>();
    Matcher m = PEM_BLOCK.matcher(text);
    while (m.find()) {
      String kind = m.group(1);
      byte[] der;
      try {
        der = Base64.getMimeDecoder().decode(m.group(2).trim());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(where + ": block " + (out.size() + 1) + " (" + kind + ") is not base64");
      }
      PublicKey key = switch (kind) {
        case "PUBLIC KEY" -> spki(der, where);
        case "CERTIFICATE" -> certificateKey(der, where);
        default -> throw new IllegalArgumentException(where + ": holds a '" + kind
            + "' block; give public keys (PUBLIC KEY) or certificates (CERTIFICATE) only");
      };
      String alg = algorithmOf(key, where);
      if (!algs.contains(alg)) {
        throw new IllegalArgumentException(where + " holds a key for " + alg + " but "
            + ConfigKeys.JWT_ALGORITHMS.env() + " does not enable it");
      }
      // vertx-auth-jwt reads one clean SPKI block best, whatever the file held (certificate, comments).
      out.add(new PubSecKeyOptions().setAlgorithm(alg).setBuffer(spkiPem(key)));
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(where + ": no PEM block (-----BEGIN PUBLIC KEY----- or CERTIFICATE) found");
    }
    return out;
  }

  private static PublicKey spki(byte[] der, String where) {
    for (String type : List.of("RSA", "EC")) {
      try {
        return KeyFactory.getInstance(type).generatePublic(new X509EncodedKeySpec(der));
      } catch (GeneralSecurityException notThisType) {
        // try the next type
      }
    }
    throw new IllegalArgumentException(where + ": a PUBLIC KEY block is neither an RSA nor an EC key");
  }

  private static PublicKey certificateKey(byte[] der, String where) {
    try {
      return CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der)).getPublicKey();
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(where + ": unreadable CERTIFICATE block: " + e.getMessage(), e);
    }
  }

  /** RS256 for an RSA key of at least 2048 bits, ES256 for an EC key on P-256; anything else is refused. */
  static String algorithmOf(PublicKey key, String where) {
    if (key instanceof RSAPublicKey rsa) {
      if (rsa.getModulus().bitLength() < MIN_RSA_BITS) {
        throw new IllegalArgumentException(where + ": an RSA key of " + rsa.getModulus().bitLength()
            + " bits is too weak (at least " + MIN_RSA_BITS + ")");
      }
      return RS256;
    }
    if (key instanceof ECPublicKey ec) {
      if (!isP256(ec.getParams())) {
        throw new IllegalArgumentException(where + ": an EC key on a curve other than P-256 (ES256 needs P-256)");
      }
      return ES256;
    }
    throw new IllegalArgumentException(where + ": unsupported key type " + key.getAlgorithm());
  }

  private static boolean isP256(ECParameterSpec spec) {
    ECParameterSpec p256 = p256();
    return spec.getOrder().equals(p256.getOrder()) && spec.getCurve().equals(p256.getCurve())
        && spec.getGenerator().equals(p256.getGenerator());
  }

  private static ECParameterSpec p256() {
    try {
      AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
      p.init(new ECGenParameterSpec("secp256r1"));
      return p.getParameterSpec(ECParameterSpec.class);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM has no P-256 curve", e);
    }
  }

  static String spkiPem(PublicKey key) {
    return "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
  }

  // ---- JWKS ------------------------------------------------------------------------------------

  /**
   * The usable keys of a JWKS document, each with its {@code alg} made explicit. Keys for another
   * use or algorithm (a provider's JWKS often has some) are skipped with a warning; private key
   * material is refused outright, since it does not belong on a verifying server.
   */
  static List<JsonObject> jwks(String text, Set<String> algs) {
    String where = ConfigKeys.JWT_JWKS_FILE.env();
    JsonArray keys;
    try {
      keys = new JsonObject(text).getJsonArray("keys");
    } catch (DecodeException | ClassCastException e) {
      throw new IllegalArgumentException(where + ": not a JWKS document ({\"keys\":[...]})");
    }
    if (keys == null) {
      throw new IllegalArgumentException(where + ": not a JWKS document ({\"keys\":[...]})");
    }
    List<JsonObject> out = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      if (!(keys.getValue(i) instanceof JsonObject k)) {
        throw new IllegalArgumentException(where + ": key " + i + " is not a JSON object");
      }
      String name = where + " key " + (k.getValue("kid") instanceof String kid ? "'" + kid + "'" : String.valueOf(i));
      if (k.containsKey("d")) {
        throw new IllegalArgumentException(name + " holds private key material (d); give public keys only");
      }
      String kty = String.valueOf(k.getValue("kty"));
      String alg = switch (kty) {
        case "RSA" -> RS256;
        case "EC" -> ES256;
        default -> null;
      };
      String use = k.getValue("use") instanceof String u ? u : "sig";
      Object declared = k.getValue("alg");
      if (alg == null || !"sig".equals(use) || (declared != null && !alg.equals(declared)) || !algs.contains(alg)) {
        LOG.atWarn().addKeyValue("key", name).addKeyValue("kty", kty).addKeyValue("alg", String.valueOf(declared))
            .addKeyValue("use", use).log("JWKS key skipped: not an enabled signature algorithm");
        continue;
      }
      PublicKey key = alg.equals(RS256) ? rsaJwk(k, name) : ecJwk(k, name);
      algorithmOf(key, name);
      out.add(k.copy().put("alg", alg).put("use", "sig"));
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(where + ": no key for an enabled algorithm (" + String.join(", ", algs) + ")");
    }
    return out;
  }

  private static PublicKey rsaJwk(JsonObject k, String name) {
    try {
      return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(b64(k, "n", name), b64(k, "e", name)));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(name + ": not a valid RSA public key: " + e.getMessage(), e);
    }
  }

  private static PublicKey ecJwk(JsonObject k, String name) {
    if (!"P-256".equals(k.getValue("crv"))) {
      throw new IllegalArgumentException(name + ": crv must be P-256 for ES256, got " + k.getValue("crv"));
    }
    try {
      return KeyFactory.getInstance("EC").generatePublic(
          new ECPublicKeySpec(new ECPoint(b64(k, "x", name), b64(k, "y", name)), p256()));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(name + ": not a valid EC public key: " + e.getMessage(), e);
    }
  }

  private static BigInteger b64(JsonObject k, String field, String name) {
    if (!(k.getValue(field) instanceof String v)) {
      throw new IllegalArgumentException(name + ": missing '" + field + "'");
    }
    try {
      return new BigInteger(1, Base64.getUrlDecoder().decode(v));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(name + ": '" + field + "' is not base64url");
    }
  }
}
