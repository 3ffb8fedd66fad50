package io.courier.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.testing.Nodes;
import io.courier.testing.OpenSsl;
import io.courier.testing.Ports;
import io.courier.testing.TestCluster;
import io.courier.tokens.TokenIssuer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node that accepts RS256 and ES256 only, with keys from a PEM file (an RSA public key and an EC
 * certificate made by openssl) and from a JWKS file (two RSA keys told apart by kid). Keys are made
 * at test time; the tokens are signed by {@link TokenIssuer} with the JDK alone.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PublicKeyTokensTest {
  @RegisterExtension
  static final Nodes<CourierNode> nodes = InProcessNodes.named("pubkey");

  @TempDir
  static Path dir;
  Vertx client;
  CourierNode node;
  KeyPair pemRsa;
  PrivateKey certEc;
  KeyPair jwksOne;
  KeyPair jwksTwo;

  @BeforeAll
  void start() throws Exception {
    pemRsa = rsa();
    OpenSsl.KeyAndCert ec = OpenSsl.selfSigned(dir, "signer", true);
    certEc = TokenIssuer.readPrivateKey(ec.key());
    Path pem = dir.resolve("keys.pem");
    Files.writeString(pem, "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder().encodeToString(pemRsa.getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----\n" + Files.readString(ec.cert()));
    jwksOne = rsa();
    jwksTwo = rsa();
    Path jwks = dir.resolve("jwks.json");
    Files.writeString(jwks, new JsonObject().put("keys", new JsonArray().add(jwk(jwksOne, "k1")).add(jwk(jwksTwo, "k2")))
        .encode());
    CourierConfig cfg = nodes.config()
        .with(ConfigKeys.JWT_ALGORITHMS, "RS256,ES256")
        .with(ConfigKeys.JWT_PUBLIC_KEY_FILE, pem)
        .with(ConfigKeys.JWT_JWKS_FILE, jwks)
        .with(ConfigKeys.GATEWAY_INSTANCES, 1);
    node = nodes.start(cfg);
    client = nodes.client();
  }

  static KeyPair rsa() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    return g.generateKeyPair();
  }

  static JsonObject jwk(KeyPair kp, String kid) {
    RSAPublicKey k = (RSAPublicKey) kp.getPublic();
    return new JsonObject().put("kty", "RSA").put("kid", kid).put("use", "sig")
        .put("n", b64(k.getModulus())).put("e", b64(k.getPublicExponent()));
  }

  static String b64(BigInteger v) {
    byte[] b = v.toByteArray();
    int off = b.length > 1 && b[0] == 0 ? 1 : 0;
    return Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOfRange(b, off, b.length));
  }

  private static String token(PrivateKey key, String kid, String user) {
    return TokenIssuer.issue(key, kid, user, Duration.ofMinutes(10), List.of(), List.of());
  }

  private void assertAccepted(String token, String user) {
    try (WsProbe p = WsProbe.connect(client, node.port(), token)) {
      assertThat(p.next("welcome").getString("userId")).isEqualTo(user);
    }
  }

  private int status(String token) {
    return WsProbe.refusedStatus(client, WsProbe.options(node.port(), token));
  }

  private static JsonObject header(String token) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(token.substring(0, token.indexOf('.'))),
        StandardCharsets.UTF_8));
  }

  @Test
  void rs256WithThePemKeyIsAccepted() {
    String t = token(pemRsa.getPrivate(), null, "rs-user");
    assertThat(header(t).getString("alg")).isEqualTo("RS256");
    assertAccepted(t, "rs-user");
  }

  @Test
  void es256WithTheCertificatesKeyIsAccepted() {
    String t = token(certEc, null, "es-user");
    assertThat(header(t).getString("alg")).isEqualTo("ES256");
    assertAccepted(t, "es-user");
  }

  @Test
  void theKidSelectsTheJwksKey() {
    assertAccepted(token(jwksOne.getPrivate(), "k1", "kid-one"), "kid-one");
    assertAccepted(token(jwksTwo.getPrivate(), "k2", "kid-two"), "kid-two");
    // Signed by k1 but naming k2: only k2 (and the keys without a kid) may verify it.
    assertThat(status(token(jwksOne.getPrivate(), "k2", "mixed"))).isEqualTo(401);
  }

  @Test
  void aKeyTheNodeDoesNotKnowIsRefused() throws Exception {
    assertThat(status(token(rsa().getPrivate(), null, "stranger"))).isEqualTo(401);
    assertThat(status(token(rsa().getPrivate(), "k1", "stranger"))).isEqualTo(401);
  }

  @Test
  void anAlgorithmThatIsNotEnabledIsRefusedEvenWithTheRightSecret() {
    assertThat(status(nodes.token("hs-user", Duration.ofMinutes(10)))).isEqualTo(401);
    // The classic confusion: HS256 "signed" with the public key as the HMAC secret.
    String publicPem = "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder().encodeToString(pemRsa.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n";
    assertThat(status(TokenIssuer.issue(publicPem, "confused", Duration.ofMinutes(10), List.of()))).isEqualTo(401);
    String metrics = node.context().metrics().scrape();
    assertThat(metrics).containsPattern("courier_auth_failures_total\\{node=\"[^\"]+\",reason=\"algorithm\"} [1-9]");
  }

  @Test
  void misconfiguredKeysStopTheNodeBeforeItJoinsTheCluster() throws Exception {
    CourierConfig cfg = TestCluster.config(Ports.uniqueName("pubkey-bad")).with(ConfigKeys.JWT_SECRET, nodes.secret());
    assertThat(CourierNode.start(cfg.with(ConfigKeys.JWT_ALGORITHMS, "RS256")).cause())
        .hasMessageContaining("RS256 is enabled").hasMessageContaining("COURIER_JWT_PUBLIC_KEY_FILE");
    assertThat(CourierNode.start(cfg.with(ConfigKeys.JWT_ALGORITHMS, "HS512")).cause())
        .hasMessageContaining("unsupported algorithm 'HS512'");
    Path onlyRsa = dir.resolve("only-rsa.pem");
    Files.writeString(onlyRsa, "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder().encodeToString(pemRsa.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n");
    assertThat(CourierNode.start(cfg.with(ConfigKeys.JWT_ALGORITHMS, "ES256")
            .with(ConfigKeys.JWT_PUBLIC_KEY_FILE, onlyRsa)).cause())
        .hasMessageContaining("a key for RS256");
  }
}
