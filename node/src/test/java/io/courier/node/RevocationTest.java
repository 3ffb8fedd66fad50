package io.courier.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.testing.Nodes;
import io.courier.tokens.TokenIssuer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Token revocation across two clustered nodes in one JVM: POST /admin/revoke on one node closes the
 * matching connections on both with 4003, new handshakes with those tokens get 403 before any
 * upgrade, and a refresh with a revoked token is refused.
 *
 * <p>The close must come within 1 s of the admin call (the requirement). The tests wait until
 * 1 s + {@link #ALLOWANCE_MS} after sending the call: the allowance is for this 2-core test machine,
 * shared with other builds, where a thread may wait for a core for a few hundred milliseconds.
 * One revocation runs before the tests: the first admin call of a fresh JVM loads classes and opens
 * the HTTP connection, which is not what the deadline is about.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RevocationTest {
  @RegisterExtension
  static final Nodes<CourierNode> nodes = InProcessNodes.stoppedAtOnce("revoke").tokensLasting(Duration.ofMinutes(30));
  static final long REQUIRED_MS = 1000;
  static final long ALLOWANCE_MS = 500;

  Vertx client;
  HttpClient http;
  CourierNode a;
  CourierNode b;

  @BeforeAll
  void start() {
    CourierConfig cfg = nodes.config();
    a = nodes.start(cfg.with(ConfigKeys.NODE_ID, "revoke-a").with(ConfigKeys.GATEWAY_INSTANCES, 1));
    // Two gateway instances on B: the sweep must reach connections on every event loop.
    b = nodes.start(Nodes.joining(cfg).with(ConfigKeys.NODE_ID, "revoke-b").with(ConfigKeys.GATEWAY_INSTANCES, 2));
    client = nodes.client();
    http = client.createHttpClient();
    try (WsProbe warm = connect(b, nodes.token("warm-up"))) {
      assertThat(Http.revoke(http, a.port(), admin(), new JsonObject().put("user", "warm-up")).status()).isEqualTo(200);
      assertThat(warm.awaitClose()).isEqualTo((short) 4003);
    }
  }

  static String admin() {
    return TokenIssuer.issue(nodes.secret(), "ops-" + UUID.randomUUID(), Duration.ofMinutes(5), List.of(), List.of("admin"));
  }

  static JsonObject claims(String token) {
    String payload = token.split("\\.")[1];
    return new JsonObject(new String(Base64.getUrlDecoder().decode(payload), StandardCharsets.UTF_8));
  }

  private WsProbe connect(CourierNode node, String token) {
    WsProbe p = WsProbe.connect(client, node.port(), token);
    p.next("welcome");
    return p;
  }

  private int refused(CourierNode node, String token) {
    return WsProbe.refusedStatus(client, WsProbe.options(node.port(), token));
  }

  /**
   * The status of a handshake refused on {@code node}, which did not take the revocation: it learns
   * of it a moment after the revoking node answered (docs/protocol.md §10a: within 1 s), so
   * handshakes are tried until one is refused, for up to 5 s.
   */
  private int refusedOnceKnown(CourierNode node, String token) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (true) {
      try {
        return refused(node, token);
      } catch (AssertionError accepted) {
        if (System.nanoTime() > deadline) {
          throw accepted;
        }
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }

  private static void assertServes(WsProbe p) {
    p.send(new JsonObject().put("type", "ping").put("ref", "alive"));
    assertThat(p.next("pong").getString("ref")).isEqualTo("alive");
  }

  /** Waits until {@code REQUIRED_MS + ALLOWANCE_MS} after {@code sentAt} for a 4003 close; returns ms taken. */
  private static long assertRevokedWithinDeadline(WsProbe p, long sentAt) {
    short code = p.awaitCloseBy(sentAt + (REQUIRED_MS + ALLOWANCE_MS) * 1_000_000);
    long tookMs = (System.nanoTime() - sentAt) / 1_000_000;
    assertThat(code).isEqualTo((short) 4003);
    return tookMs;
  }

  /** The value of the series {@code name} whose labels include {@code label} (e.g. {@code kind="user"}, or ""). */
  static double metric(CourierNode node, String name, String label) {
    for (String line : node.context().metrics().scrape().split("\n")) {
      if (line.startsWith(name + "{") && line.contains(label)) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    throw new AssertionError("no series " + name + " with " + label);
  }

  @Test
  void revokingAUserClosesItsConnectionsOnEveryNodeWithinOneSecondAndRefusesItsTokens() {
    String user = "victim-" + UUID.randomUUID();
    String onA = nodes.token(user);
    String onB = nodes.token(user);
    String onB2 = nodes.token(user);
    double closesBefore = metric(b, "courier_revoked_closes_total", "");
    double revocationsBefore = metric(a, "courier_revocations_total", "kind=\"user\"");
    try (WsProbe pa = connect(a, onA); WsProbe pb = connect(b, onB); WsProbe pb2 = connect(b, onB2);
         WsProbe bystander = connect(b, nodes.token("bystander-" + UUID.randomUUID()))) {
      long sentAt = System.nanoTime();
      Http.Reply reply = Http.revoke(http, a.port(), admin(), new JsonObject().put("user", user));
      assertThat(reply.status()).isEqualTo(200);
      JsonObject revoked = reply.json().getJsonObject("revoked");
      assertThat(revoked.getString("user")).isEqualTo(user);
      long at = revoked.getLong("at");
      // Kept for the longest token lifetime (24 h) plus twice the leeway (5 s) plus 1 s.
      assertThat(reply.json().getLong("expiresAt")).isEqualTo(at + (86_400 + 2 * 5 + 1) * 1000L);

      long tookA = assertRevokedWithinDeadline(pa, sentAt);
      long tookB = assertRevokedWithinDeadline(pb, sentAt);
      long tookB2 = assertRevokedWithinDeadline(pb2, sentAt);
      System.out.printf("4003 after %d ms (node A), %d and %d ms (node B)%n", tookA, tookB, tookB2);
      assertServes(bystander);

      assertThat(refused(a, onA)).isEqualTo(403);
      assertThat(refused(b, onA)).isEqualTo(403);
      assertThat(refused(b, onB)).isEqualTo(403);
      // A token issued after the revocation (a later second) is the user's way back in.
      long now = System.currentTimeMillis() / 1000;
      String fresh = TokenIssuer.sign(nodes.secret(), new JsonObject().put("sub", user).put("iat", at / 1000 + 1)
          .put("exp", now + 600).put("jti", UUID.randomUUID().toString()));
      try (WsProbe back = connect(b, fresh)) {
        assertServes(back);
      }
    }
    assertThat(metric(a, "courier_revocations_total", "kind=\"user\"")).isEqualTo(revocationsBefore + 1);
    assertThat(metric(b, "courier_revoked_closes_total", "")).isEqualTo(closesBefore + 2);
    // Counted once the close handshake is over on the server, which may trail the client by a little.
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (metric(b, "courier_connections_closed_total", "code=\"4003\"") < 2 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(metric(b, "courier_connections_closed_total", "code=\"4003\"")).isGreaterThanOrEqualTo(2);
    assertThat(metric(b, "courier_handshakes_refused_total", "reason=\"revoked\"")).isGreaterThanOrEqualTo(2);
    assertThat(metric(b, "courier_revocations_active", "")).isGreaterThanOrEqualTo(1);
  }

  @Test
  void revokingAJtiClosesOnlyThatTokensConnectionAndARefreshWithItIsRefused() {
    String user = "jti-user-" + UUID.randomUUID();
    String revokedToken = nodes.token(user);
    String keptToken = nodes.token(user);
    String jti = claims(revokedToken).getString("jti");
    try (WsProbe gone = connect(a, revokedToken); WsProbe kept = connect(a, keptToken)) {
      long sentAt = System.nanoTime();
      Http.Reply reply = Http.revoke(http, b.port(), admin(), new JsonObject().put("jti", jti));
      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.json().getJsonObject("revoked").getString("jti")).isEqualTo(jti);
      assertRevokedWithinDeadline(gone, sentAt);
      assertServes(kept);

      kept.send(new JsonObject().put("type", "refresh").put("token", revokedToken).put("ref", "r1"));
      JsonObject refusal = kept.next("error");
      assertThat(refusal.getString("code")).isEqualTo("forbidden");
      assertThat(refusal.getString("ref")).isEqualTo("r1");
      assertServes(kept);
      kept.send(new JsonObject().put("type", "refresh").put("token", nodes.token(user)).put("ref", "r2"));
      assertThat(kept.next("refreshed").getString("ref")).isEqualTo("r2");

      assertThat(refused(a, revokedToken)).isEqualTo(403);
      assertThat(refused(b, revokedToken)).isEqualTo(403);
      try (WsProbe again = connect(b, keptToken)) {
        assertServes(again);
      }
    }
  }

  @Test
  void whileAUserIsRevokedItsTokensWithoutIatAreRefused() {
    String user = "no-iat-" + UUID.randomUUID();
    long now = System.currentTimeMillis() / 1000;
    String noIat = TokenIssuer.sign(nodes.secret(), new JsonObject().put("sub", user).put("exp", now + 600));
    try (WsProbe p = connect(b, noIat)) {
      assertServes(p);
    }
    assertThat(Http.revoke(http, a.port(), admin(), new JsonObject().put("user", user)).status()).isEqualTo(200);
    assertThat(refusedOnceKnown(b, noIat)).isEqualTo(403);
    assertThat(refused(a, TokenIssuer.sign(nodes.secret(), new JsonObject().put("sub", user).put("exp", now + 900))))
        .as("even one made after the revocation: without iat its issue time is unknown").isEqualTo(403);
  }

  @Test
  void browserBridgeSocketsAreClosedAndRefusedWith4003Too() throws Exception {
    String user = "browser-" + UUID.randomUUID();
    String t = nodes.token(user);
    try (RawBridge open = RawBridge.open(client, b.port(), t)) {
      open.register(user);
      assertThat(open.nextType()).isEqualTo("welcome");
      long sentAt = System.nanoTime();
      assertThat(Http.revoke(http, a.port(), admin(), new JsonObject().put("user", user)).status()).isEqualTo(200);
      assertThat(open.awaitClose()).isEqualTo((short) 4003);
      assertThat((System.nanoTime() - sentAt) / 1_000_000).isLessThanOrEqualTo(REQUIRED_MS + ALLOWANCE_MS);
    }
    try (RawBridge refusedSocket = RawBridge.open(client, a.port(), t)) {
      assertThat(refusedSocket.awaitClose()).isEqualTo((short) 4003);
      assertThat(refusedSocket.closeReason()).isEqualTo("token revoked");
    }
  }

  @Test
  void theRevokeEndpointChecksItsCallerAndItsBody() {
    String body = new JsonObject().put("user", "someone").encode();
    assertThat(Http.call(http, HttpMethod.POST, a.port(), "/admin/revoke", null, body).status()).isEqualTo(401);
    assertThat(Http.call(http, HttpMethod.POST, a.port(), "/admin/revoke", nodes.token("ops"), body).status())
        .as("no admin role").isEqualTo(403);
    String admin = admin();
    for (String bad : List.of("{}", "{\"user\":\"a\",\"jti\":\"b\"}", "{\"user\":5}", "{\"user\":\"\"}",
        "{\"jti\":null}", "{\"user\":\"" + "u".repeat(257) + "\"}", "not json", "[1]", "")) {
      Http.Reply r = Http.call(http, HttpMethod.POST, a.port(), "/admin/revoke", admin, bad);
      assertThat(r.status()).as(bad).isEqualTo(400);
      assertThat(r.body()).contains("exactly one of");
    }
    assertThat(Http.call(http, HttpMethod.POST, a.port(), "/admin/revoke", admin,
        "{\"user\":\"" + "u".repeat(256) + "\"}").status()).as("256 characters").isEqualTo(200);
    assertThat(Http.call(http, HttpMethod.POST, a.port(), "/admin/revoke", admin,
        "{\"user\":\"x\",\"pad\":\"" + "p".repeat(5000) + "\"}").status()).as("body over 4 KiB").isEqualTo(413);

    // An admin token revoked by jti can no longer call the admin endpoints: 403, like a handshake.
    String jti = claims(admin).getString("jti");
    assertThat(Http.revoke(http, a.port(), admin, new JsonObject().put("jti", jti)).status()).isEqualTo(200);
    // Node b learns of the revocation from the cluster a moment after a answered: ask until it refuses.
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
    Http.Reply after = Http.revoke(http, b.port(), admin, new JsonObject().put("user", "x"));
    while (after.status() != 403 && System.nanoTime() < deadline) {
      after = Http.revoke(http, b.port(), admin, new JsonObject().put("user", "x"));
    }
    assertThat(after.status()).isEqualTo(403);
    assertThat(after.body()).isEqualTo("token revoked");
  }
}
