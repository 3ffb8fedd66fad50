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
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Rooms end to end on two real nodes of one cluster (A and B, each with every verticle), over real
 * WebSockets, written against the wire contract only. Small caps and fan-out chunks, so the edges
 * of the caps and a fan-out over several chunks and both nodes are exercised. Subclasses choose
 * the store, which also holds the membership.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RoomsContract {
  @RegisterExtension
  static final Nodes<CourierNode> nodes = InProcessNodes.stoppedAtOnce("rooms");
  static final int MAX_MEMBERS = 6;
  static final int MAX_ROOMS = 3;

  Vertx client;
  HttpClient http;
  CourierNode a;
  CourierNode b;

  abstract CourierConfig storeConfig(CourierConfig base);

  @BeforeAll
  void startNodes() {
    CourierConfig cfg = storeConfig(nodes.config()
        .with(ConfigKeys.GATEWAY_INSTANCES, 2)
        .with(ConfigKeys.MAX_ROOM_MEMBERS, MAX_MEMBERS)
        .with(ConfigKeys.MAX_ROOMS_PER_USER, MAX_ROOMS)
        .with(ConfigKeys.ROOM_FANOUT_CHUNK, 2)
        .with(ConfigKeys.ROOM_FANOUT_PARALLELISM, 2)
        .with(ConfigKeys.ROOM_SENDS_IN_FLIGHT, 1));
    a = nodes.start(cfg.with(ConfigKeys.NODE_ID, "rooms-a"));
    b = nodes.start(Nodes.joining(cfg).with(ConfigKeys.NODE_ID, "rooms-b"));
    // The second member's join migrates partitions; a store call made meanwhile can wait out its
    // timeout on a busy machine, which is not what these tests are about.
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
    while (!a.context().hazelcast().getPartitionService().isClusterSafe()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("partitions still migrating 60 s after the second member joined");
      }
      java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
    }
    client = nodes.client();
    http = client.createHttpClient();
  }

  static String unique(String name) {
    return name + "-" + UUID.randomUUID().toString().substring(0, 6);
  }

  WsProbe connect(CourierNode node, String user, List<String> rooms) {
    WsProbe p = WsProbe.connect(client, node.port(), nodes.token(user, rooms));
    p.next("welcome");
    return p;
  }

  static JsonObject join(String room, String ref) {
    return new JsonObject().put("type", "join").put("room", room).put("ref", ref);
  }

  static JsonObject leave(String room, String ref) {
    return new JsonObject().put("type", "leave").put("room", room).put("ref", ref);
  }

  static JsonObject roomSend(String id, String room, Object body) {
    return new JsonObject().put("type", "send").put("id", id).put("room", room).put("body", body);
  }

  /** The answer to the frame with {@code ref}: its reply or an error. */
  static JsonObject answer(WsProbe p, String ref) {
    return p.next(f -> ref.equals(f.getString("ref")), WsProbe.WAIT);
  }

  static void joined(WsProbe p, String room) {
    String ref = "j-" + UUID.randomUUID();
    p.send(join(room, ref));
    JsonObject r = answer(p, ref);
    assertThat(r.getString("type")).as("join %s: %s", room, r).isEqualTo("joined");
    assertThat(r.getString("room")).isEqualTo(room);
  }

  /** A fresh connection's view of the user's inbox: every message, by sync from 0. */
  List<JsonObject> inbox(CourierNode node, String user) {
    try (WsProbe p = WsProbe.connect(client, node.port(), nodes.token(user, List.of()))) {
      p.next("welcome");
      p.send(new JsonObject().put("type", "sync").put("after", 0).put("ref", "all"));
      List<JsonObject> out = new ArrayList<>();
      while (true) {
        JsonObject f = p.next(x -> "msg".equals(x.getString("type")) || "all".equals(x.getString("ref")), WsProbe.WAIT);
        if (!"msg".equals(f.getString("type"))) {
          return out;
        }
        out.add(f);
      }
    }
  }

  record Reply(int status, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  Reply call(HttpMethod method, CourierNode node, String path, String bearer) {
    return http.request(method, node.port(), "127.0.0.1", path).compose(req -> {
      if (bearer != null) {
        req.putHeader("Authorization", "Bearer " + bearer);
      }
      return req.send().compose(resp -> resp.body().map(body -> new Reply(resp.statusCode(), body.toString())));
    }).await();
  }

  static String admin() {
    return TokenIssuer.issue(nodes.secret(), "ops", Duration.ofMinutes(10), List.of(), List.of("admin"));
  }

  static String path(String id) {
    return URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
  }

  // ---- authorisation and replies ----------------------------------------------------------------

  @Test
  void joinAndLeaveAreAuthorisedByTheRoomsClaim() {
    String s = unique("");
    String lobby = "lobby" + s;
    List<String> claim = List.of(lobby, "team" + s + "-*");
    try (WsProbe p = connect(a, unique("alice"), claim)) {
      p.send(join(lobby, "exact"));
      assertThat(answer(p, "exact")).isEqualTo(new JsonObject().put("type", "joined").put("room", lobby)
          .put("ref", "exact"));
      p.send(join("team" + s + "-red", "prefix"));
      assertThat(answer(p, "prefix").getString("type")).isEqualTo("joined");

      for (String uncovered : List.of("Lobby" + s, "lobby" + s + "x", "team" + s, "other")) {
        p.send(join(uncovered, "no"));
        JsonObject e = answer(p, "no");
        assertThat(e.getString("type")).as(uncovered).isEqualTo("error");
        assertThat(e.getString("code")).as(uncovered).isEqualTo("forbidden");
      }
      p.send(leave("other", "lo"));
      assertThat(answer(p, "lo").getString("code")).isEqualTo("forbidden");

      p.send(leave(lobby, "l1"));
      assertThat(answer(p, "l1")).isEqualTo(new JsonObject().put("type", "left").put("room", lobby).put("ref", "l1"));
      // Leaving a room one is not in is answered the same way.
      p.send(leave(lobby, "l2"));
      assertThat(answer(p, "l2").getString("type")).isEqualTo("left");
      p.send(join(lobby, "again"));
      assertThat(answer(p, "again").getString("type")).isEqualTo("joined");
    }
  }

  @Test
  void onlyMembersMaySendToARoom() {
    String room = unique("r");
    String alice = unique("alice");
    try (WsProbe p = connect(a, alice, List.of(room))) {
      p.send(roomSend("m1", room, "too early"));
      JsonObject e = answer(p, "m1");
      assertThat(e.getString("code")).isEqualTo("forbidden");
      assertThat(e.getString("message")).contains(room);

      // Sent back to back on one connection: the join is stored before the send is checked.
      p.send(join(room, "j"));
      p.send(roomSend("m2", room, "now"));
      assertThat(answer(p, "j").getString("type")).isEqualTo("joined");
      JsonObject sent = answer(p, "m2");
      assertThat(sent.getString("type")).isEqualTo("sent");

      // The sending connection gets its own copy too: the sender is a member, with an inbox.
      JsonObject own = p.next("msg");
      assertThat(own.getString("room")).isEqualTo(room);
      assertThat(own.containsKey("to")).isFalse();
      assertThat(own.getString("id")).isEqualTo("m2");
      assertThat(own.getLong("ts")).isEqualTo(sent.getLong("ts"));

      p.send(leave(room, "l"));
      assertThat(answer(p, "l").getString("type")).isEqualTo("left");
      p.send(roomSend("m3", room, "gone"));
      assertThat(answer(p, "m3").getString("code")).isEqualTo("forbidden");
    }
  }

  // ---- membership ----------------------------------------------------------------------------------

  @Test
  void membershipSurvivesReconnectingToAnotherNode() {
    String room = unique("r");
    String alice = unique("alice");
    String bob = unique("bob");
    try (WsProbe p = connect(a, alice, List.of(room))) {
      joined(p, room);
    }
    try (WsProbe q = connect(b, bob, List.of(room))) {
      joined(q, room);
    }
    // A new connection, on the other node, with a token that no longer even names the room.
    try (WsProbe p = connect(b, alice, List.of()); WsProbe q = connect(a, bob, List.of(room))) {
      p.send(roomSend("after", room, "still here"));
      assertThat(answer(p, "after").getString("type")).isEqualTo("sent");
      JsonObject got = q.next("msg");
      assertThat(got.getString("from")).isEqualTo(alice);
      assertThat(got.getString("room")).isEqualTo(room);
    }
  }

  // ---- fan-out ---------------------------------------------------------------------------------------

  /**
   * Members on both nodes, one with two devices (one per node), one with messages of its own already
   * (so its seq differs), one offline who syncs later: each gets the message once, in its own inbox,
   * with its own seq; the copies agree on id, from, room, body and ts.
   */
  @Test
  void aRoomMessageReachesEveryMemberOnEveryNodeWithItsOwnSeq() {
    String room = unique("r");
    List<String> claim = List.of(room);
    String alice = unique("alice");
    String bob = unique("bob");
    String carol = unique("carol");
    String dave = unique("dave");
    try (WsProbe daveNow = connect(b, dave, claim)) {
      joined(daveNow, room);
    }
    try (WsProbe a1 = connect(a, alice, claim); WsProbe a2 = connect(b, alice, claim);
         WsProbe bb = connect(b, bob, claim); WsProbe c = connect(a, carol, claim)) {
      joined(a1, room);
      joined(bb, room);
      joined(c, room);
      // Bob already has two messages: the room message is his third.
      for (int i = 1; i <= 2; i++) {
        c.send(new JsonObject().put("type", "send").put("id", "d" + i).put("to", bob).put("body", i));
        assertThat(answer(c, "d" + i).getString("type")).isEqualTo("sent");
        assertThat(bb.next("msg").getLong("seq")).isEqualTo(i);
      }

      JsonObject body = new JsonObject().put("text", "hello room").put("n", List.of(1, 2));
      a1.send(roomSend("hello", room, body));
      JsonObject sent = answer(a1, "hello");
      assertThat(sent.getString("type")).isEqualTo("sent");
      assertThat(sent.containsKey("dup")).isFalse();
      long ts = sent.getLong("ts");

      JsonObject ownHere = a1.next("msg");
      JsonObject ownThere = a2.next("msg");
      JsonObject toBob = bb.next("msg");
      JsonObject toCarol = c.next("msg");
      for (JsonObject m : List.of(ownHere, ownThere, toBob, toCarol)) {
        assertThat(m.getString("id")).isEqualTo("hello");
        assertThat(m.getString("from")).isEqualTo(alice);
        assertThat(m.getString("room")).isEqualTo(room);
        assertThat(m.containsKey("to")).isFalse();
        assertThat(m.getJsonObject("body")).isEqualTo(body);
        assertThat(m.getLong("ts")).isEqualTo(ts);
      }
      assertThat(ownHere.getLong("seq")).isEqualTo(1);
      assertThat(ownThere).isEqualTo(ownHere);
      assertThat(toBob.getLong("seq")).isEqualTo(3);
      assertThat(toCarol.getLong("seq")).isEqualTo(1);
    }

    // Dave was offline: his welcome shows the message, and sync brings it, with his own seq.
    try (WsProbe d = WsProbe.connect(client, a.port(), nodes.token(dave, claim))) {
      JsonObject w = d.next("welcome");
      assertThat(w.getLong("lastSeq")).isEqualTo(1);
      d.expectNone("msg", Duration.ofMillis(300));
      d.send(new JsonObject().put("type", "sync").put("after", 0).put("epoch", w.getString("epoch")));
      JsonObject m = d.next("msg");
      assertThat(m.getLong("seq")).isEqualTo(1);
      assertThat(m.getString("room")).isEqualTo(room);
      assertThat(m.getString("id")).isEqualTo("hello");
      assertThat(d.next("synced").getLong("upTo")).isEqualTo(1);
    }
  }

  /** Sends from several members at once (one fanned out at a time per delivery verticle): all arrive everywhere. */
  @Test
  void concurrentRoomSendsAllReachEveryMemberInOrderPerSender() {
    String room = unique("r");
    List<String> claim = List.of(room);
    List<String> users = List.of(unique("u1"), unique("u2"), unique("u3"));
    List<WsProbe> probes = new ArrayList<>();
    try {
      for (int i = 0; i < users.size(); i++) {
        WsProbe p = connect(i % 2 == 0 ? a : b, users.get(i), claim);
        probes.add(p);
        joined(p, room);
      }
      for (int k = 0; k < 3; k++) {
        for (int i = 0; i < probes.size(); i++) {
          probes.get(i).send(roomSend("c" + i + "-" + k, room, k));
        }
      }
      for (int i = 0; i < probes.size(); i++) {
        for (int k = 0; k < 3; k++) {
          assertThat(answer(probes.get(i), "c" + i + "-" + k).getString("type")).isEqualTo("sent");
        }
      }
    } finally {
      probes.forEach(WsProbe::close);
    }
    for (String u : users) {
      List<JsonObject> msgs = inbox(a, u);
      assertThat(msgs).extracting(m -> m.getLong("seq")).as(u).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
      for (int i = 0; i < users.size(); i++) {
        String from = users.get(i);
        assertThat(msgs.stream().filter(m -> m.getString("from").equals(from)).map(m -> m.getString("id")))
            .as("%s's messages in %s's inbox, in send order", from, u)
            .containsExactly("c" + i + "-0", "c" + i + "-1", "c" + i + "-2");
      }
    }
  }

  @Test
  void aResentRoomMessageIsAnsweredDupAndStoredOnceInEveryInbox() {
    String room = unique("r");
    List<String> claim = List.of(room);
    String alice = unique("alice");
    List<String> others = List.of(unique("m1"), unique("m2"), unique("m3"));
    for (String u : others) {
      try (WsProbe p = connect(b, u, claim)) {
        joined(p, room);
      }
    }
    try (WsProbe p = connect(a, alice, claim)) {
      joined(p, room);
      p.send(roomSend("once", room, "only once"));
      JsonObject first = answer(p, "once");
      p.send(roomSend("once", room, "only once"));
      JsonObject again = answer(p, "once");
      assertThat(again.getString("type")).isEqualTo("sent");
      assertThat(again.getBoolean("dup")).isTrue();
      assertThat(again.getLong("ts")).isEqualTo(first.getLong("ts"));
    }
    for (String u : others) {
      List<JsonObject> msgs = inbox(a, u);
      assertThat(msgs).as(u).hasSize(1);
      assertThat(msgs.get(0).getString("id")).isEqualTo("once");
    }
    assertThat(inbox(b, alice)).hasSize(1);
  }

  // ---- caps --------------------------------------------------------------------------------------

  @Test
  void aRoomTakesExactlyMaxMembers() {
    String room = unique("r");
    List<String> claim = List.of(room);
    for (int i = 0; i < MAX_MEMBERS; i++) {
      try (WsProbe p = connect(i % 2 == 0 ? a : b, unique("u" + i), claim)) {
        joined(p, room);
      }
    }
    try (WsProbe p = connect(a, unique("late"), claim)) {
      p.send(join(room, "full"));
      JsonObject e = answer(p, "full");
      assertThat(e.getString("type")).isEqualTo("error");
      assertThat(e.getString("code")).isEqualTo("forbidden");
      assertThat(e.getString("message")).contains("full").contains(ConfigKeys.MAX_ROOM_MEMBERS.env());
    }
    Reply members = call(HttpMethod.GET, a, "/admin/rooms/" + path(room), admin());
    assertThat(members.json().getInteger("count")).isEqualTo(MAX_MEMBERS);
  }

  @Test
  void aUserJoinsExactlyMaxRooms() {
    String s = unique("");
    String alice = unique("alice");
    try (WsProbe p = connect(a, alice, List.of("cap" + s + "-*"))) {
      for (int i = 0; i < MAX_ROOMS; i++) {
        joined(p, "cap" + s + "-" + i);
      }
      p.send(join("cap" + s + "-x", "over"));
      JsonObject e = answer(p, "over");
      assertThat(e.getString("code")).isEqualTo("forbidden");
      assertThat(e.getString("message")).contains(ConfigKeys.MAX_ROOMS_PER_USER.env());
      // Joining a room one is already in is not refused by the cap.
      joined(p, "cap" + s + "-0");
      p.send(leave("cap" + s + "-1", "l"));
      answer(p, "l");
      joined(p, "cap" + s + "-x");
    }
  }

  // ---- metrics -----------------------------------------------------------------------------------

  /** Sum of a counter over both nodes (each node has its own registry), for series matching {@code labels}. */
  double counter(String name, String labels) {
    double sum = 0;
    for (CourierNode n : List.of(a, b)) {
      Reply r = call(HttpMethod.GET, n, "/metrics", null);
      for (String line : r.body().split("\n")) {
        if (line.startsWith(name + "{") && line.contains(labels)) {
          sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
    }
    return sum;
  }

  @Test
  void roomSendsAndTheirCopiesAreCounted() {
    String room = unique("r");
    List<String> claim = List.of(room);
    String sends = io.courier.protocol.MetricNames.counter(io.courier.protocol.MetricNames.ROOM_SENDS);
    String copies = io.courier.protocol.MetricNames.counter(io.courier.protocol.MetricNames.FANOUT_RECIPIENTS);
    double ok = counter(sends, "outcome=\"ok\"");
    double dup = counter(sends, "outcome=\"dup\"");
    double forbidden = counter(sends, "outcome=\"forbidden\"");
    double fresh = counter(copies, "dup=\"false\"");
    double again = counter(copies, "dup=\"true\"");
    try (WsProbe p = connect(a, unique("alice"), claim); WsProbe q = connect(b, unique("bob"), claim);
         WsProbe r = connect(b, unique("carol"), claim)) {
      r.send(roomSend("early", room, 0));
      assertThat(answer(r, "early").getString("code")).isEqualTo("forbidden");
      joined(p, room);
      joined(q, room);
      joined(r, room);
      p.send(roomSend("c1", room, 1));
      answer(p, "c1");
      p.send(roomSend("c1", room, 1));
      assertThat(answer(p, "c1").getBoolean("dup")).isTrue();
    }
    assertThat(counter(sends, "outcome=\"ok\"") - ok).isEqualTo(1);
    assertThat(counter(sends, "outcome=\"dup\"") - dup).isEqualTo(1);
    assertThat(counter(sends, "outcome=\"forbidden\"") - forbidden).isEqualTo(1);
    assertThat(counter(copies, "dup=\"false\"") - fresh).isEqualTo(3);
    assertThat(counter(copies, "dup=\"true\"") - again).isEqualTo(3);
  }

  // ---- admin -------------------------------------------------------------------------------------

  @Test
  void adminReadsMembershipAndDeletesARoom() {
    String room = unique("team a/b");
    List<String> claim = List.of(room);
    String alice = unique("alice");
    String bob = unique("bob");
    try (WsProbe p = connect(a, alice, claim); WsProbe q = connect(b, bob, claim)) {
      long roomsBefore = call(HttpMethod.GET, a, "/admin/rooms", admin()).json().getLong("rooms");
      joined(p, room);
      joined(q, room);

      assertThat(call(HttpMethod.GET, b, "/admin/rooms/" + path(room), null).status()).isEqualTo(401);
      String user = TokenIssuer.issue(nodes.secret(), alice, Duration.ofMinutes(5), claim);
      assertThat(call(HttpMethod.GET, b, "/admin/rooms/" + path(room), user).status()).isEqualTo(403);
      assertThat(call(HttpMethod.GET, b, "/admin/rooms", user).status()).isEqualTo(403);

      Reply members = call(HttpMethod.GET, b, "/admin/rooms/" + path(room), admin());
      assertThat(members.status()).isEqualTo(200);
      List<String> sorted = new ArrayList<>(List.of(alice, bob));
      sorted.sort(null);
      assertThat(members.json()).isEqualTo(new JsonObject().put("room", room).put("count", 2)
          .put("members", sorted));
      Reply aliceRooms = call(HttpMethod.GET, a, "/admin/users/" + path(alice) + "/rooms", admin());
      assertThat(aliceRooms.json()).isEqualTo(new JsonObject().put("userId", alice).put("count", 1)
          .put("rooms", List.of(room)));
      assertThat(call(HttpMethod.GET, a, "/admin/rooms", admin()).json().getLong("rooms")).isEqualTo(roomsBefore + 1);
      assertThat(call(HttpMethod.GET, a, "/admin/rooms/" + "x".repeat(257), admin()).status()).isEqualTo(400);

      Reply deleted = call(HttpMethod.DELETE, a, "/admin/rooms/" + path(room), admin());
      assertThat(deleted.json()).isEqualTo(new JsonObject().put("room", room).put("removed", 2));
      assertThat(call(HttpMethod.GET, b, "/admin/rooms/" + path(room), admin()).json().getInteger("count")).isZero();
      assertThat(call(HttpMethod.GET, a, "/admin/users/" + path(bob) + "/rooms", admin()).json().getJsonArray("rooms"))
          .isEmpty();
      assertThat(call(HttpMethod.GET, a, "/admin/rooms", admin()).json().getLong("rooms")).isEqualTo(roomsBefore);
      p.send(roomSend("after-delete", room, 1));
      assertThat(answer(p, "after-delete").getString("code")).isEqualTo("forbidden");
    }
  }
}
