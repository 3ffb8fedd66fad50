package io.courier.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.cluster.Maps;
import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.testing.Nodes;
import io.courier.testing.Ports;
import io.courier.testing.RedisServer;
import io.courier.tokens.TokenIssuer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Where revocations live and how long: in the Hazelcast map across a restart of either of two
 * nodes; in Redis (COURIER_STORE=redis) across a restart of the whole cluster, with readiness DOWN
 * while Redis cannot be read; and never much past their TTL (the longest token lifetime, plus twice the
 * leeway, plus 1 s).
 */
class RevocationPersistenceTest {
  @RegisterExtension
  static final Nodes<CourierNode> nodes = InProcessNodes.stoppedAtOnce("persist").tokensLasting(Duration.ofMinutes(30));

  Vertx client;
  HttpClient http;

  @BeforeEach
  void setUp() {
    client = Vertx.vertx();
    http = client.createHttpClient();
  }

  /** The client closes first; then the extension stops the nodes and redis-servers this test started. */
  @AfterEach
  void tearDown() {
    client.close().await();
  }

  private CourierNode start(CourierConfig cfg) {
    return nodes.start(cfg.with(ConfigKeys.GATEWAY_INSTANCES, 1));
  }

  /** A graceful stop in the middle of a test; the extension's stop at its end finds it stopped. */
  private void stop(CourierNode n) {
    n.close().await();
  }

  private static CourierConfig joining(CourierConfig cfg, CourierNode seed) {
    return cfg.with(ConfigKeys.CLUSTER_PORT, Ports.free()).with(ConfigKeys.CLUSTER_MEMBERS,
        "127.0.0.1:" + seed.context().hazelcast().getCluster().getLocalMember().getAddress().getPort());
  }

  static String admin() {
    return TokenIssuer.issue(nodes.secret(), "ops", Duration.ofMinutes(5), List.of(), List.of("admin"));
  }

  private int handshake(CourierNode node, String token) {
    try (WsProbe p = WsProbe.connect(client, node.port(), token)) {
      p.next("welcome");
      return 101;
    } catch (io.vertx.core.http.UpgradeRejectedException e) {
      return e.getStatus();
    }
  }

  private static void await(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + " not within " + timeout);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }

  @Test
  void aRevocationSurvivesARestartOfEitherOfTwoNodes() {
    CourierConfig cfg = nodes.config();
    CourierNode a = start(cfg.with(ConfigKeys.NODE_ID, "persist-a"));
    CourierNode b = start(joining(cfg, a).with(ConfigKeys.NODE_ID, "persist-b"));
    String user = "restart-" + UUID.randomUUID();
    String old = nodes.token(user);
    assertThat(Http.revoke(http, a.port(), admin(), new JsonObject().put("user", user)).status()).isEqualTo(200);

    // B restarts: the new B copies the revocation from the cluster map at start.
    stop(b);
    CourierNode b2 = start(joining(cfg, a).with(ConfigKeys.NODE_ID, "persist-b2"));
    assertThat(handshake(b2, old)).isEqualTo(403);
    // A, where the revocation was made, restarts too: its partitions and backups moved to B2.
    stop(a);
    CourierNode a2 = start(joining(cfg, b2).with(ConfigKeys.NODE_ID, "persist-a2"));
    assertThat(handshake(a2, old)).isEqualTo(403);
    assertThat(handshake(b2, old)).isEqualTo(403);
    assertThat(handshake(a2, nodes.token("other-" + UUID.randomUUID()))).isEqualTo(101);
  }

  @Test
  void withTheRedisStoreARevocationSurvivesARestartOfTheWholeCluster() {
    RedisServer server = nodes.add(RedisServer.start());
    CourierConfig first = nodes.config()
        .with(ConfigKeys.STORE, "redis").with(ConfigKeys.REDIS_URL, server.url());
    CourierNode a = start(first.with(ConfigKeys.NODE_ID, "redis-a"));
    CourierNode b = start(joining(first, a).with(ConfigKeys.NODE_ID, "redis-b"));
    String user = "cold-" + UUID.randomUUID();
    String byUser = nodes.token(user);
    String byJti = nodes.token("jti-owner-" + UUID.randomUUID());
    String jti = RevocationTest.claims(byJti).getString("jti");
    assertThat(Http.revoke(http, a.port(), admin(), new JsonObject().put("user", user)).status()).isEqualTo(200);
    assertThat(Http.revoke(http, b.port(), admin(), new JsonObject().put("jti", jti)).status()).isEqualTo(200);
    stop(b);
    stop(a);

    // A new cluster (another name: nothing of the old Hazelcast map can reach it) on the same Redis.
    CourierConfig second = nodes.config()
        .with(ConfigKeys.STORE, "redis").with(ConfigKeys.REDIS_URL, server.url());
    CourierNode c = start(second.with(ConfigKeys.NODE_ID, "redis-c"));
    CourierNode d = start(joining(second, c).with(ConfigKeys.NODE_ID, "redis-d"));
    for (CourierNode n : List.of(c, d)) {
      Http.Reply ready = Http.call(http, HttpMethod.GET, n.port(), "/health/ready", null, null);
      assertThat(ready.json().getJsonObject("checks").getJsonObject("revocations").getString("status")).isEqualTo("UP");
      assertThat(handshake(n, byUser)).isEqualTo(403);
      assertThat(handshake(n, byJti)).isEqualTo(403);
    }
    assertThat(handshake(d, nodes.token("someone-else-" + UUID.randomUUID()))).isEqualTo(101);
    // Loaded back into the new cluster's map, not only into the nodes' local lists.
    assertThat(c.context().hazelcast().getMap(Maps.REVOCATIONS).containsKey("u:" + user)).isTrue();
  }

  @Test
  void readinessIsDownUntilTheRevocationsInRedisCanBeRead() {
    int port = Ports.free();
    CourierConfig cfg = nodes.config()
        .with(ConfigKeys.STORE, "redis").with(ConfigKeys.REDIS_URL, "redis://127.0.0.1:" + port + "/0")
        .with(ConfigKeys.HEALTH_TIMEOUT_MS, 500);
    CourierNode n = start(cfg);
    Http.Reply down = Http.call(http, HttpMethod.GET, n.port(), "/health/ready", null, null);
    assertThat(down.status()).isEqualTo(503);
    JsonObject check = down.json().getJsonObject("checks").getJsonObject("revocations");
    assertThat(check.getString("status")).isEqualTo("DOWN");
    assertThat(check.getString("reason")).contains("Redis");

    nodes.add(RedisServer.start(port, null));
    await("revocations read from Redis", Duration.ofSeconds(20), () -> "UP".equals(
        Http.call(http, HttpMethod.GET, n.port(), "/health/ready", null, null).json().getJsonObject("checks")
            .getJsonObject("revocations").getString("status")));
  }

  @Test
  void aRevocationIsForgottenAfterTheLongestTokenLifetimeAndLongerTokensAreRefused() {
    long lifetimeS = 5;
    CourierConfig cfg = nodes.config()
        .with(ConfigKeys.JWT_MAX_LIFETIME_S, lifetimeS).with(ConfigKeys.JWT_LEEWAY_S, 0);
    CourierNode n = start(cfg);
    long now = System.currentTimeMillis() / 1000;
    String atTheLimit = TokenIssuer.sign(nodes.secret(), new JsonObject().put("sub", "edge").put("iat", now)
        .put("exp", now + lifetimeS));
    String pastIt = TokenIssuer.sign(nodes.secret(), new JsonObject().put("sub", "edge").put("iat", now)
        .put("exp", now + lifetimeS + 1));
    assertThat(handshake(n, atTheLimit)).isEqualTo(101);
    assertThat(handshake(n, pastIt)).isEqualTo(401);

    String user = "ttl-" + UUID.randomUUID();
    Http.Reply r = Http.revoke(http, n.port(), TokenIssuer.issue(nodes.secret(), "ops", Duration.ofSeconds(lifetimeS),
        List.of(), List.of("admin")), new JsonObject().put("user", user));
    assertThat(r.status()).isEqualTo(200);
    long at = r.json().getJsonObject("revoked").getLong("at");
    assertThat(r.json().getLong("expiresAt")).as("lifetime + 2 x leeway (0) + 1 s").isEqualTo(at + (lifetimeS + 1) * 1000);
    var map = n.context().hazelcast().getMap(Maps.REVOCATIONS);
    assertThat(map.containsKey("u:" + user)).isTrue();
    // A token without iat is refused while its user is revoked, whenever it was made. (Every token the
    // revocation covers has expired by the time the revocation does: that is what the TTL is for.)
    java.util.function.Supplier<String> noIat = () -> TokenIssuer.sign(nodes.secret(), new JsonObject().put("sub", user)
        .put("exp", System.currentTimeMillis() / 1000 + lifetimeS - 1));
    assertThat(handshake(n, noIat.get())).isEqualTo(403);
    await("the map entry's TTL", Duration.ofSeconds(20), () -> !map.containsKey("u:" + user));
    // Not before the last token it covers has expired (Hazelcast may expire it up to 1 s before expiresAt).
    assertThat(System.currentTimeMillis()).isGreaterThanOrEqualTo(at + lifetimeS * 1000);
    // The node's own list forgot it too: a token without iat made now is accepted again.
    await("the local list's expiry", Duration.ofSeconds(5), () -> handshake(n, noIat.get()) == 101);
  }
}
