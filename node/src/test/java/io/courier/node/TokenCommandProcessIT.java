package io.courier.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * `courier token` as an operator runs it (a separate JVM, settings from its environment): it
 * refuses what nodes would refuse (a lifetime past COURIER_JWT_MAX_LIFETIME_S, a secret under 32
 * bytes, a user in the system: namespace) and puts the configured audience and issuer in the token.
 */
class TokenCommandProcessIT {
  static final String SECRET = "token-command-test-secret-0123456789";

  private record Result(int exit, String stdout, String stderr) {}

  private static Result courierToken(Map<String, String> env, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
        Main.class.getName(), "token"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().keySet().removeIf(k -> k.startsWith("COURIER_"));
    pb.environment().putAll(env);
    Process p = pb.start();
    p.getOutputStream().close();
    // Small outputs: reading one stream to its end before the other cannot block the child.
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), out, err);
  }

  private static JsonObject payload(String jwt) {
    String[] parts = jwt.split("\\.");
    assertThat(parts).hasSize(3);
    return new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
  }

  @Test
  void ttlIsBoundedByTheMaxLifetimeAtItsEdge() throws Exception {
    Map<String, String> env = Map.of("COURIER_JWT_SECRET", SECRET);
    Result atMax = courierToken(env, "u", "--ttl", "24h");
    assertThat(atMax.exit()).as(atMax.stderr()).isZero();
    JsonObject claims = payload(atMax.stdout());
    assertThat(claims.getLong("exp") - claims.getLong("iat")).isEqualTo(86400);

    Result past = courierToken(env, "u", "--ttl", "86401s");
    assertThat(past.exit()).isEqualTo(2);
    assertThat(past.stdout()).isEmpty();
    assertThat(past.stderr()).contains("--ttl 86401s is longer than COURIER_JWT_MAX_LIFETIME_S (86400s)");

    Map<String, String> shortLived = Map.of("COURIER_JWT_SECRET", SECRET, "COURIER_JWT_MAX_LIFETIME_S", "120");
    assertThat(courierToken(shortLived, "ops", "--roles", "admin", "--ttl", "2m").exit()).isZero();
    Result longer = courierToken(shortLived, "ops", "--roles", "admin", "--ttl", "121s");
    assertThat(longer.exit()).isEqualTo(2);
    assertThat(longer.stderr()).contains("longer than COURIER_JWT_MAX_LIFETIME_S (120s)");
  }

  @Test
  void aShortSecretIsRefusedWithTheSameMessageAsTheNode() throws Exception {
    String short31 = "0123456789abcdef0123456789abcde";
    Result r = courierToken(Map.of("COURIER_JWT_SECRET", short31), "u");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.stdout()).isEmpty();
    assertThat(r.stderr()).contains("COURIER_JWT_SECRET is 31 bytes").contains("at least 32 bytes")
        .doesNotContain(short31);
    assertThat(courierToken(Map.of("COURIER_JWT_SECRET", short31 + "f"), "u").exit()).isZero();
  }

  @Test
  void usersInTheSystemNamespaceAreRefused() throws Exception {
    Result r = courierToken(Map.of("COURIER_JWT_SECRET", SECRET), "system:billing", "--roles", "service");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.stdout()).isEmpty();
    assertThat(r.stderr()).contains("reserved system: namespace");
  }

  @Test
  void audienceAndIssuerDefaultToTheFirstConfiguredAndCanBeGiven() throws Exception {
    Result none = courierToken(Map.of("COURIER_JWT_SECRET", SECRET), "u");
    assertThat(payload(none.stdout()).containsKey("aud")).isFalse();
    assertThat(payload(none.stdout()).containsKey("iss")).isFalse();

    Map<String, String> env = Map.of("COURIER_JWT_SECRET", SECRET, "COURIER_JWT_AUDIENCE", "courier,chat",
        "COURIER_JWT_ISSUER", "https://id.example, https://id2.example");
    JsonObject defaults = payload(courierToken(env, "u").stdout());
    assertThat(defaults.getValue("aud")).isEqualTo("courier");
    assertThat(defaults.getString("iss")).isEqualTo("https://id.example");

    Result given = courierToken(env, "u", "--aud", "chat,billing", "--iss", "https://id2.example");
    assertThat(given.exit()).as(given.stderr()).isZero();
    JsonObject claims = payload(given.stdout());
    assertThat(claims.getValue("aud")).isEqualTo(new JsonArray().add("chat").add("billing"));
    assertThat(claims.getString("iss")).isEqualTo("https://id2.example");
  }
}
