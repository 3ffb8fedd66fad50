package io.courier.connection.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.testing.OpenSsl;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a node accepts as token keys, and every configuration it refuses at start. */
class JwtKeysTest {
  /** 32 bytes: the shortest HS256 secret a node takes. */
  static final String SECRET = "0123456789abcdef0123456789abcdef";

  @TempDir
  Path dir;

  static KeyPair rsa(int bits) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(bits);
    return g.generateKeyPair();
  }

  static KeyPair ec(String curve) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec(curve));
    return g.generateKeyPair();
  }

  private Path write(String name, String text) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  private CourierConfig cfg(String algorithms) {
    return CourierConfig.defaults().with(ConfigKeys.JWT_ALGORITHMS, algorithms);
  }

  static String b64(BigInteger v) {
    byte[] b = v.toByteArray();
    int off = b.length > 1 && b[0] == 0 ? 1 : 0;
    return Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOfRange(b, off, b.length));
  }

  static JsonObject rsaJwk(KeyPair kp, String kid) {
    RSAPublicKey k = (RSAPublicKey) kp.getPublic();
    return new JsonObject().put("kty", "RSA").put("kid", kid).put("n", b64(k.getModulus()))
        .put("e", b64(k.getPublicExponent()));
  }

  static JsonObject ecJwk(KeyPair kp, String kid) {
    ECPublicKey k = (ECPublicKey) kp.getPublic();
    return new JsonObject().put("kty", "EC").put("kid", kid).put("crv", "P-256")
        .put("x", b64(k.getW().getAffineX())).put("y", b64(k.getW().getAffineY()));
  }

  @Test
  void theDefaultIsHs256WithTheSecretOnly() {
    JwtKeys keys = JwtKeys.load(CourierConfig.defaults(), () -> SECRET);
    assertThat(keys.algorithmsEnabled()).containsExactly("HS256");
    assertThat(keys.accepts("HS256")).isTrue();
    assertThat(keys.accepts("RS256")).isFalse();
    assertThat(keys.accepts("none")).isFalse();
    assertThat(keys.describe()).isEqualTo("HS256 (1 key)");
  }

  @Test
  void anHs256SecretNeedsAtLeast32Bytes() {
    String short31 = SECRET.substring(1);
    assertThatThrownBy(() -> JwtKeys.load(CourierConfig.defaults(), () -> short31))
        .hasMessageContaining("COURIER_JWT_SECRET is 31 bytes").hasMessageContaining("at least 32 bytes")
        .hasMessageNotContaining(short31);
    assertThatThrownBy(() -> JwtKeys.hs256(short31)).hasMessageContaining("at least 32 bytes");
    assertThat(JwtKeys.load(CourierConfig.defaults(), () -> SECRET).accepts("HS256")).isTrue();
    // Bytes, not characters: 16 two-byte characters are 32 bytes of key.
    assertThat(JwtKeys.hs256("\u00e9".repeat(16)).accepts("HS256")).isTrue();
    assertThatThrownBy(() -> JwtKeys.hs256("\u00e9".repeat(15) + "e")).hasMessageContaining("is 31 bytes");
  }

  @Test
  void theSecretIsNotAskedForWhenHs256IsOff() throws Exception {
    Path pem = write("rsa.pem", JwtKeys.spkiPem(rsa(2048).getPublic()));
    JwtKeys keys = JwtKeys.load(cfg("RS256").with(ConfigKeys.JWT_PUBLIC_KEY_FILE, pem), () -> {
      throw new AssertionError("the secret must not be resolved");
    });
    assertThat(keys.algorithmsEnabled()).containsExactly("RS256");
    assertThat(keys.describe()).isEqualTo("RS256 (1 key)");
  }

  @Test
  void aPemFileMayHoldSeveralKeysAndCertificatesTheKeyTypePicksTheAlgorithm() throws Exception {
    OpenSsl.KeyAndCert ecCert = OpenSsl.selfSigned(dir, "ec", true);
    String text = "# signing keys of the identity provider\n" + JwtKeys.spkiPem(rsa(2048).getPublic())
        + JwtKeys.spkiPem(ec("secp256r1").getPublic()) + Files.readString(ecCert.cert());
    List<io.vertx.ext.auth.PubSecKeyOptions> keys = JwtKeys.pemKeys(text, Set.of("RS256", "ES256"));
    assertThat(keys).extracting(io.vertx.ext.auth.PubSecKeyOptions::getAlgorithm)
        .containsExactly("RS256", "ES256", "ES256");
    // What vertx-auth-jwt gets is always a clean SPKI block, whatever the file held.
    assertThat(keys).allSatisfy(k -> assertThat(k.getBuffer().toString()).startsWith("-----BEGIN PUBLIC KEY-----"));
  }

  @Test
  void anRsaCertificateGivesAnRs256Key() {
    OpenSsl.KeyAndCert rsaCert = OpenSsl.selfSigned(dir, "rsa", false);
    JwtKeys keys = JwtKeys.load(cfg("RS256").with(ConfigKeys.JWT_PUBLIC_KEY_FILE, rsaCert.cert()), () -> null);
    assertThat(keys.describe()).isEqualTo("RS256 (1 key)");
  }

  @Test
  void badPemFilesAreRefusedWithTheSettingsName() throws Exception {
    Set<String> both = Set.of("RS256", "ES256");
    assertThatThrownBy(() -> JwtKeys.pemKeys("", both)).hasMessageContaining("COURIER_JWT_PUBLIC_KEY_FILE")
        .hasMessageContaining("no PEM block");
    OpenSsl.KeyAndCert pair = OpenSsl.selfSigned(dir, "leak", false);
    assertThatThrownBy(() -> JwtKeys.pemKeys(Files.readString(pair.key()), both))
        .hasMessageContaining("'PRIVATE KEY' block");
    assertThatThrownBy(() -> JwtKeys.pemKeys(JwtKeys.spkiPem(rsa(1024).getPublic()), both))
        .hasMessageContaining("1024 bits is too weak");
    assertThatThrownBy(() -> JwtKeys.pemKeys(JwtKeys.spkiPem(ec("secp384r1").getPublic()), both))
        .hasMessageContaining("P-256");
    assertThatThrownBy(() -> JwtKeys.pemKeys(JwtKeys.spkiPem(rsa(2048).getPublic()), Set.of("ES256")))
        .hasMessageContaining("a key for RS256").hasMessageContaining("COURIER_JWT_ALGORITHMS does not enable it");
    assertThatThrownBy(() -> JwtKeys.pemKeys("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", both))
        .hasMessageContaining("neither an RSA nor an EC key");
    assertThatThrownBy(() -> JwtKeys.load(cfg("RS256").with(ConfigKeys.JWT_PUBLIC_KEY_FILE, dir.resolve("nope.pem")),
        () -> null)).hasMessageContaining("COURIER_JWT_PUBLIC_KEY_FILE: cannot read");
  }

  @Test
  void algorithmListsAreChecked() {
    assertThatThrownBy(() -> JwtKeys.load(cfg("HS256,PS256"), () -> SECRET))
        .hasMessageContaining("unsupported algorithm 'PS256'");
    assertThatThrownBy(() -> JwtKeys.load(cfg(" , "), () -> SECRET)).hasMessageContaining("at least one algorithm");
    assertThatThrownBy(() -> JwtKeys.load(cfg("HS256,RS256"), () -> SECRET))
        .hasMessageContaining("RS256 is enabled").hasMessageContaining("no RSA key is configured");
    assertThatThrownBy(() -> JwtKeys.load(cfg("ES256"), () -> SECRET))
        .hasMessageContaining("no EC P-256 key is configured");
    assertThatThrownBy(() -> JwtKeys.load(cfg("HS256"), () -> ""))
        .hasMessageContaining("HS256 is enabled").hasMessageContaining("COURIER_JWT_SECRET");
    assertThat(JwtKeys.load(cfg("hs256"), () -> SECRET).accepts("HS256")).as("case-insensitive").isTrue();
  }

  @Test
  void jwksKeysGetAnExplicitAlgorithmAndUnusableOnesAreSkipped() throws Exception {
    JsonArray keys = new JsonArray()
        .add(rsaJwk(rsa(2048), "r1"))
        .add(ecJwk(ec("secp256r1"), "e1").put("alg", "ES256").put("use", "sig"))
        .add(rsaJwk(rsa(2048), "enc").put("use", "enc"))
        .add(rsaJwk(rsa(2048), "ps").put("alg", "PS256"))
        .add(new JsonObject().put("kty", "oct").put("k", "c2VjcmV0"));
    List<JsonObject> out = JwtKeys.jwks(new JsonObject().put("keys", keys).encode(), Set.of("RS256", "ES256"));
    assertThat(out).extracting(k -> k.getString("kid")).containsExactly("r1", "e1");
    assertThat(out).extracting(k -> k.getString("alg")).containsExactly("RS256", "ES256");

    // With ES256 off, the EC key is skipped too.
    assertThat(JwtKeys.jwks(new JsonObject().put("keys", keys).encode(), Set.of("RS256")))
        .extracting(k -> k.getString("kid")).containsExactly("r1");
  }

  @Test
  void badJwksFilesAreRefused() throws Exception {
    Set<String> both = Set.of("RS256", "ES256");
    assertThatThrownBy(() -> JwtKeys.jwks("[1,2]", both)).hasMessageContaining("not a JWKS document");
    assertThatThrownBy(() -> JwtKeys.jwks("{}", both)).hasMessageContaining("not a JWKS document");
    assertThatThrownBy(() -> JwtKeys.jwks("{\"keys\":[]}", both)).hasMessageContaining("no key for an enabled algorithm");
    assertThatThrownBy(() -> JwtKeys.jwks("{\"keys\":[7]}", both)).hasMessageContaining("key 0 is not a JSON object");
    JsonObject priv = rsaJwk(rsa(2048), "p").put("d", "AAAA");
    assertThatThrownBy(() -> JwtKeys.jwks(new JsonObject().put("keys", new JsonArray().add(priv)).encode(), both))
        .hasMessageContaining("key 'p' holds private key material");
    JsonObject p384 = ecJwk(ec("secp384r1"), "big").put("crv", "P-384");
    assertThatThrownBy(() -> JwtKeys.jwks(new JsonObject().put("keys", new JsonArray().add(p384)).encode(), both))
        .hasMessageContaining("crv must be P-256");
    JsonObject noN = new JsonObject().put("kty", "RSA").put("kid", "x").put("e", "AQAB");
    assertThatThrownBy(() -> JwtKeys.jwks(new JsonObject().put("keys", new JsonArray().add(noN)).encode(), both))
        .hasMessageContaining("missing 'n'");
    JsonObject weak = rsaJwk(rsa(1024), "weak");
    assertThatThrownBy(() -> JwtKeys.jwks(new JsonObject().put("keys", new JsonArray().add(weak)).encode(), both))
        .hasMessageContaining("too weak");
  }
}
