package io.courier.connection.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The audience, issuer and reserved-subject rules of {@link TokenVerifier}, with tokens signed by
 * the JDK's HMAC (not by the library that verifies them).
 */
class TokenRulesTest {
  private static final String SECRET = "token-rules-test-secret-0123456789";
  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  private TokenVerifier verifier(List<String> audiences, List<String> issuers) {
    return new TokenVerifier(vertx, JwtKeys.hs256(SECRET), 5, 3600, audiences, issuers, RevocationCheck.NONE);
  }

  static String sign(JsonObject claims) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String input = b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
        + b64.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8));
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return input + "." + b64.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static JsonObject claims(String sub) {
    long now = System.currentTimeMillis() / 1000;
    return new JsonObject().put("sub", sub).put("iat", now).put("exp", now + 600);
  }

  /** The reason the token is refused with, or "accepted". */
  private static String outcome(TokenVerifier v, JsonObject claims) {
    try {
      v.verify(sign(claims)).await();
      return "accepted";
    } catch (TokenVerifier.Rejected r) {
      return r.refusal();
    }
  }

  @Test
  void withoutAudienceOrIssuerSettingsAnyAudAndIssAreAccepted() {
    TokenVerifier v = verifier(List.of(), List.of());
    assertThat(outcome(v, claims("alice"))).isEqualTo("accepted");
    assertThat(outcome(v, claims("alice").put("aud", "elsewhere").put("iss", "someone"))).isEqualTo("accepted");
  }

  @Test
  void audienceMustNameOneOfTheConfiguredAsStringOrArray() {
    TokenVerifier v = verifier(List.of("courier", "chat"), List.of());
    assertThat(outcome(v, claims("alice").put("aud", "courier"))).isEqualTo("accepted");
    assertThat(outcome(v, claims("alice").put("aud", "chat"))).isEqualTo("accepted");
    assertThat(outcome(v, claims("alice").put("aud", new JsonArray().add("billing").add("chat")))).isEqualTo("accepted");
    assertThat(outcome(v, claims("alice"))).as("no aud").isEqualTo("token audience");
    assertThat(outcome(v, claims("alice").put("aud", "billing"))).isEqualTo("token audience");
    assertThat(outcome(v, claims("alice").put("aud", "Courier"))).as("compared exactly").isEqualTo("token audience");
    assertThat(outcome(v, claims("alice").put("aud", new JsonArray().add("billing")))).isEqualTo("token audience");
    assertThat(outcome(v, claims("alice").put("aud", new JsonArray()))).isEqualTo("token audience");
    assertThat(outcome(v, claims("alice").put("aud", 7))).isEqualTo("token audience");
  }

  @Test
  void issuerMustBeOneOfTheConfigured() {
    TokenVerifier v = verifier(List.of(), List.of("https://id.example", "https://id2.example"));
    assertThat(outcome(v, claims("alice").put("iss", "https://id.example"))).isEqualTo("accepted");
    assertThat(outcome(v, claims("alice").put("iss", "https://id2.example"))).isEqualTo("accepted");
    assertThat(outcome(v, claims("alice"))).as("no iss").isEqualTo("token issuer");
    assertThat(outcome(v, claims("alice").put("iss", "https://evil.example"))).isEqualTo("token issuer");
    assertThat(outcome(v, claims("alice").put("iss", new JsonArray().add("https://id.example"))))
        .as("iss is a single string").isEqualTo("token issuer");
  }

  @Test
  void bothSetBothChecked() {
    TokenVerifier v = verifier(List.of("courier"), List.of("https://id.example"));
    assertThat(outcome(v, claims("alice").put("aud", "courier").put("iss", "https://id.example"))).isEqualTo("accepted");
    assertThat(outcome(v, claims("alice").put("aud", "courier"))).isEqualTo("token issuer");
    assertThat(outcome(v, claims("alice").put("iss", "https://id.example"))).isEqualTo("token audience");
  }

  @Test
  void subjectsInTheSystemNamespaceAreRefused() {
    TokenVerifier v = verifier(List.of(), List.of());
    assertThat(outcome(v, claims("system:billing"))).isEqualTo("token reserved subject");
    assertThat(outcome(v, claims("SYSTEM:billing"))).isEqualTo("token reserved subject");
    assertThat(outcome(v, claims("system:"))).isEqualTo("token reserved subject");
    assertThat(outcome(v, claims("system"))).isEqualTo("accepted");
    assertThat(outcome(v, claims("systems:x"))).isEqualTo("accepted");
    assertThat(outcome(v, claims("alice:system:x"))).isEqualTo("accepted");
    assertThatThrownBy(() -> v.verify(sign(claims("system:billing"))).await())
        .isInstanceOfSatisfying(TokenVerifier.Rejected.class,
            r -> assertThat(r.reason).as("the metric reason").isEqualTo(TokenVerifier.RESERVED_SUBJECT));
  }
}
