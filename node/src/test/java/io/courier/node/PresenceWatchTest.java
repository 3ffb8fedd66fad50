package io.courier.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.presence.hazelcast.UntoldPresence;
import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.testing.Nodes;
import io.courier.testing.Ports;
import io.courier.tokens.TokenIssuer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Presence over real WebSockets on a three-node cluster in one JVM: {@code watch}/{@code unwatch}
 * and {@code presence_changed} across nodes (one change for the first device and one for the last),
 * the watch cap and the presence query limit at their edges, a client that vanishes without a close,
 * a change whose message was lost, and the admin presence endpoints.
 *
 * <p>A runs every verticle; B and C only the gateway. A and B never re-read watched users, so what
 * reaches their clients came by the change messages; C re-reads every {@value #RECONCILE_MS} ms.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PresenceWatchTest {
  @RegisterExtension
  static final Nodes<CourierNode> nodes = InProcessNodes.stoppedAtOnce("presence-watch");
  static final int WATCH_CAP = 5;
  static final int B_QUERY_LIMIT = 3;
  static final long IDLE_MS = 1500;
  static final long RECONCILE_MS = 400;
  /** The documented bound of a change between live nodes, which the tests hold the push path to. */
  static final Duration LIVE_BOUND = Duration.ofSeconds(5);

  Vertx client;
  HttpClient http;
  CourierNode a;
  CourierNode b;
  CourierNode c;

  @BeforeAll
  void start() {
    CourierConfig cfg = nodes.config()
        .with(ConfigKeys.GATEWAY_INSTANCES, 1).with(ConfigKeys.PRESENCE_RECONCILE_MS, 0);
    String seed = "127.0.0.1:" + cfg.getInt(ConfigKeys.CLUSTER_PORT);
    a = nodes.start(cfg.with(ConfigKeys.NODE_ID, "pw-a")
        .with(ConfigKeys.IDLE_TIMEOUT_MS, IDLE_MS).with(ConfigKeys.HEARTBEAT_MS, 500));
    b = nodes.start(cfg.with(ConfigKeys.NODE_ID, "pw-b").with(ConfigKeys.VERTICLES, "connection")
        .with(ConfigKeys.CLUSTER_PORT, Ports.free()).with(ConfigKeys.CLUSTER_MEMBERS, seed)
        .with(ConfigKeys.WATCH_MAX_USERS, WATCH_CAP).with(ConfigKeys.PRESENCE_MAX_USERS, B_QUERY_LIMIT));
    c = nodes.start(cfg.with(ConfigKeys.NODE_ID, "pw-c").with(ConfigKeys.VERTICLES, "connection")
        .with(ConfigKeys.CLUSTER_PORT, Ports.free()).with(ConfigKeys.CLUSTER_MEMBERS, seed)
        .with(ConfigKeys.PRESENCE_RECONCILE_MS, RECONCILE_MS));
    client = nodes.client();
    http = client.createHttpClient();
  }

  @Test
  void aWatcherOnAnotherNodeIsToldOnceWhenTheFirstDeviceConnectsAndOnceWhenTheLastLeaves() {
    String u = user("multi");
    try (WsProbe w = connect(b, user("watcher"))) {
      JsonObject reply = watch(w, "w1", u);
      assertThat(reply.getJsonObject("users").getJsonObject(u))
          .isEqualTo(new JsonObject().put("online", false).put("devices", 0));

      long connectedAt = System.nanoTime();
      WsProbe d1 = connect(a, u);
      JsonObject online = nextChange(w, u);
      long onlineMs = Duration.ofNanos(System.nanoTime() - connectedAt).toMillis();
      assertThat(online.getBoolean("online")).isTrue();
      assertThat(online.getInteger("devices")).isEqualTo(1);
      long since = online.getLong("since");

      // A second device, on the watcher's own node: the user was online already, no change.
      WsProbe d2 = connect(b, u);
      JsonObject state = presence(w, u).getJsonObject(u);
      assertThat(state).isEqualTo(new JsonObject().put("online", true).put("devices", 2).put("since", since));
      d1.close();
      awaitPresence(w, u, s -> s.getInteger("devices") == 1);
      long closedAt = System.nanoTime();
      d2.close();
      JsonObject offline = nextChange(w, u);
      long offlineMs = Duration.ofNanos(System.nanoTime() - closedAt).toMillis();
      assertThat(offline.getBoolean("online")).isFalse();
      assertThat(offline.getInteger("devices")).isZero();
      assertThat(offline.getLong("since")).as("last seen").isGreaterThanOrEqualTo(since);
      w.expectNone("presence_changed", Duration.ofMillis(500));
      assertThat(w.seen().stream().filter(f -> "presence_changed".equals(f.getString("type"))).toList())
          .as("one change for the first device, one for the last").containsExactly(online, offline);
      System.out.println("presence across nodes: online told after " + onlineMs + " ms, offline after "
          + offlineMs + " ms");
    }
  }

  @Test
  void aConnectionWatchesUpToTheCapAndAFrameThatWouldPassItIsRefusedWhole() {
    try (WsProbe w = connect(b, user("capped")); WsProbe fresh = connect(b, user("capped"))) {
      List<String> five = users("cap", WATCH_CAP);
      assertThat(watch(w, "c1", five.toArray(String[]::new)).getJsonObject("users").size()).isEqualTo(WATCH_CAP);
      JsonObject refused = watchRefused(w, "c2", user("sixth"));
      assertThat(refused.getString("code")).isEqualTo("rate_limited");
      // Watching users already watched adds nothing, so it stays within the cap.
      assertThat(watch(w, "c3", five.get(0), five.get(1)).getJsonObject("users").size()).isEqualTo(2);
      w.send(new JsonObject().put("type", "unwatch").put("users", new JsonArray().add(five.get(0))));
      assertThat(watch(w, "c4", user("sixth")).getJsonObject("users").size()).isEqualTo(1);

      List<String> six = users("cap6", WATCH_CAP + 1);
      assertThat(watchRefused(fresh, "f1", six.toArray(String[]::new)).getString("code")).isEqualTo("rate_limited");
      // Refused whole: none of the six is watched, so five of them fit afterwards.
      assertThat(watch(fresh, "f2", six.subList(1, 6).toArray(String[]::new)).getJsonObject("users").size())
          .isEqualTo(WATCH_CAP);
    }
  }

  @Test
  void thePresenceQueryAnswersUpToTheConfiguredLimitAndRefusesOneMore() {
    try (WsProbe onA = connect(a, user("q")); WsProbe onB = connect(b, user("q"))) {
      assertThat(query(onA, "a500", 500).getJsonObject("users").size()).as("default 500").isEqualTo(500);
      assertThat(query(onA, "a501", 501).getString("code")).isEqualTo("bad_frame");
      assertThat(query(onB, "b3", B_QUERY_LIMIT).getJsonObject("users").size()).isEqualTo(B_QUERY_LIMIT);
      assertThat(query(onB, "b4", B_QUERY_LIMIT + 1).getString("code")).isEqualTo("bad_frame");
    }
  }

  @Test
  void afterUnwatchNoChangeIsPushed() {
    String u = user("unwatched");
    String v = user("still-watched");
    try (WsProbe w = connect(b, user("unwatcher"))) {
      watch(w, "u1", u, v);
      w.send(new JsonObject().put("type", "unwatch").put("users", new JsonArray().add(u)).put("ref", "u2"));
      w.send(new JsonObject().put("type", "ping").put("ref", "after-unwatch"));
      assertThat(w.next("pong").getString("ref")).as("unwatch has no reply").isEqualTo("after-unwatch");
      try (WsProbe du = connect(a, u); WsProbe dv = connect(a, v)) {
        // v's change is sent after u's connect completed; u's, had it been sent, would be no later.
        assertThat(nextChange(w, v).getBoolean("online")).isTrue();
        w.expectNone("presence_changed", Duration.ofMillis(500));
        assertThat(w.seen()).noneMatch(f -> u.equals(f.getString("user")));
      }
    }
  }

  /**
   * A client that completes the handshake and then goes silent (no close frame, no FIN): the idle
   * timeout closes it, and the watcher is told it went offline. Bound: idle timeout + one tick (the
   * server does not wait for a close handshake from a client it found idle) + the live bound.
   */
  @Test
  void aVanishedClientGoesOfflineAfterTheIdleTimeout() throws Exception {
    String u = user("vanished");
    try (WsProbe w = connect(b, user("vwatcher"))) {
      watch(w, "v1", u);
      // Silence starts when the server opens the connection, after this instant.
      long before = System.nanoTime();
      try (RawWebSocket silent = new RawWebSocket(a.port(), nodes.token(u))) {
        assertThat(nextChange(w, u).getBoolean("online")).isTrue();
        JsonObject offline = w.next(f -> "presence_changed".equals(f.getString("type")) && u.equals(f.getString("user")),
            Duration.ofSeconds(30));
        long ms = Duration.ofNanos(System.nanoTime() - before).toMillis();
        assertThat(offline.getBoolean("online")).isFalse();
        assertThat(ms).as("not before the idle timeout").isGreaterThanOrEqualTo(IDLE_MS);
        assertThat(ms).as("idle timeout + one tick + the live bound").isLessThan(IDLE_MS + 1000 + LIVE_BOUND.toMillis());
        assertThat(presence(w, u).getJsonObject(u).getBoolean("online")).isFalse();
        System.out.println("vanished client: offline told " + ms + " ms after it went silent (idle timeout "
            + IDLE_MS + " ms)");
      }
    }
  }

  @Test
  void aChangeWhoseMessageWasLostArrivesWithTheReRead() {
    String u = user("untold");
    try (WsProbe w = connect(c, user("rwatcher"))) {
      watch(w, "r1", u);
      // As a node that died right after updating the map would leave it: no change message.
      UntoldPresence.addDevice(a.context().hazelcast(), u, "s-" + u, "pw-a");
      JsonObject on = w.next(f -> "presence_changed".equals(f.getString("type")), Duration.ofMillis(RECONCILE_MS * 10));
      assertThat(on.getString("user")).isEqualTo(u);
      assertThat(on.getBoolean("online")).isTrue();
      UntoldPresence.removeDevice(a.context().hazelcast(), u, "s-" + u);
      JsonObject off = nextChange(w, u);
      assertThat(off.getBoolean("online")).isFalse();
    }
  }

  @Test
  void adminPresenceEndpointsCountUsersDevicesAndWatchersAndNeedAnAdminToken() {
    String u = user("counted");
    String admin = TokenIssuer.issue(nodes.secret(), "ops", Duration.ofMinutes(5), List.of(), List.of("admin"));
    try (WsProbe w = connect(b, user("awatcher")); WsProbe d1 = connect(a, u); WsProbe d2 = connect(b, u)) {
      watch(w, "a1", u);
      assertThat(get(a.port(), "/admin/presence", null).status).isEqualTo(401);
      assertThat(get(a.port(), "/admin/presence", nodes.token("ops")).status).isEqualTo(403);

      JsonObject one = new JsonObject(get(a.port(), "/admin/users/" + u, admin).body);
      assertThat(one.getBoolean("online")).isTrue();
      assertThat(one.getInteger("devices")).isEqualTo(2);
      assertThat(one.getJsonArray("watchedBy")).containsExactly("pw-b");

      Reply r = get(c.port(), "/admin/presence", admin);
      assertThat(r.status).isEqualTo(200);
      JsonObject p = new JsonObject(r.body);
      assertThat(p.getLong("onlineUsers")).isGreaterThanOrEqualTo(2);
      assertThat(p.getLong("devices")).isGreaterThanOrEqualTo(3);
      assertThat(p.getLong("watchedUsers")).isGreaterThanOrEqualTo(1);
      assertThat(p.getJsonObject("nodes").getJsonObject("pw-a").getLong("users")).isGreaterThanOrEqualTo(1);
      assertThat(p.getJsonObject("nodes").getJsonObject("pw-b").getLong("devices")).isGreaterThanOrEqualTo(2);
      assertThat(p.getJsonArray("leases").stream().map(l -> ((JsonObject) l).getString("nodeId")))
          .contains("pw-a", "pw-b", "pw-c");
    }
  }

  @Test
  void presenceSettingsOutOfRangeAreRefusedBeforeJoining() {
    CourierConfig cfg = nodes.config();
    assertThat(CourierNode.start(cfg.with(ConfigKeys.WATCH_MAX_USERS, 0)).cause())
        .hasMessageContaining("COURIER_WATCH_MAX_USERS must be >= 1");
    assertThat(CourierNode.start(cfg.with(ConfigKeys.PRESENCE_MAX_USERS, 0)).cause())
        .hasMessageContaining("COURIER_PRESENCE_MAX_USERS must be >= 1");
    assertThat(CourierNode.start(cfg.with(ConfigKeys.PRESENCE_LEASE_MS, 2)).cause())
        .hasMessageContaining("COURIER_PRESENCE_LEASE_MS must be >= 3");
    assertThat(CourierNode.start(cfg.with(ConfigKeys.PRESENCE_RECONCILE_MS, -1)).cause())
        .hasMessageContaining("COURIER_PRESENCE_RECONCILE_MS must be >= 0");
    assertThat(CourierNode.start(cfg.with(ConfigKeys.PRESENCE_SWEEP_MS, 0)).cause())
        .hasMessageContaining("COURIER_PRESENCE_SWEEP_MS must be >= 1");
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private static String user(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static List<String> users(String prefix, int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(user(prefix + i));
    }
    return out;
  }

  private WsProbe connect(CourierNode node, String user) {
    WsProbe p = WsProbe.connect(client, node.port(), nodes.token(user));
    p.next("welcome");
    return p;
  }

  private static JsonObject watch(WsProbe w, String ref, String... users) {
    w.send(new JsonObject().put("type", "watch").put("users", new JsonArray(List.of(users))).put("ref", ref));
    JsonObject reply = w.next(f -> ref.equals(f.getString("ref")), WsProbe.WAIT);
    assertThat(reply.getString("type")).as("reply to %s: %s", ref, reply).isEqualTo("presence");
    return reply;
  }

  private static JsonObject watchRefused(WsProbe w, String ref, String... users) {
    w.send(new JsonObject().put("type", "watch").put("users", new JsonArray(List.of(users))).put("ref", ref));
    JsonObject reply = w.next(f -> ref.equals(f.getString("ref")), WsProbe.WAIT);
    assertThat(reply.getString("type")).isEqualTo("error");
    return reply;
  }

  private static JsonObject presence(WsProbe w, String u) {
    String ref = "p-" + UUID.randomUUID();
    w.send(new JsonObject().put("type", "presence").put("users", new JsonArray().add(u)).put("ref", ref));
    return w.next(f -> ref.equals(f.getString("ref")), WsProbe.WAIT).getJsonObject("users");
  }

  private static void awaitPresence(WsProbe w, String u, Predicate<JsonObject> test) {
    long deadline = System.nanoTime() + WsProbe.WAIT.toNanos();
    while (!test.test(presence(w, u).getJsonObject(u))) {
      assertThat(System.nanoTime()).as("presence of " + u).isLessThan(deadline);
    }
  }

  private static JsonObject query(WsProbe w, String ref, int n) {
    JsonArray users = new JsonArray();
    for (int i = 0; i < n; i++) {
      users.add("q" + i);
    }
    w.send(new JsonObject().put("type", "presence").put("users", users).put("ref", ref));
    return w.next(f -> ref.equals(f.getString("ref")), WsProbe.WAIT);
  }

  private static JsonObject nextChange(WsProbe w, String u) {
    return w.next(f -> "presence_changed".equals(f.getString("type")) && u.equals(f.getString("user")), LIVE_BOUND);
  }

  record Reply(int status, String body) {}

  private Reply get(int port, String path, String bearer) {
    return http.request(HttpMethod.GET, port, "127.0.0.1", path).compose(req -> {
      if (bearer != null) {
        req.putHeader("Authorization", "Bearer " + bearer);
      }
      return req.send().compose(resp -> resp.body().map(body -> new Reply(resp.statusCode(), body.toString())));
    }).await();
  }
}
