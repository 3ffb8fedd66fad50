package io.courier.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.testing.Nodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The rate limits at their edges. Rates are set to one token per 1000 s, so nothing refills while
 * a test runs and "exactly the burst" is exact. Node {@code a} holds the per-connection limits;
 * nodes {@code u1} and {@code u2} form a cluster of their own with the per-user send limit, leased
 * two tokens at a time.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RateLimitTest {
  @RegisterExtension
  static final Nodes<CourierNode> nodes = InProcessNodes.stoppedAtOnce("rate");
  static final double NEVER = 0.001;
  static final int FRAMES_BURST = 8;
  static final int MAX_FRAME = 1024;
  static final int BYTES_BURST = 3000;
  static final int STRIKES = 3;
  static final int USER_BURST = 8;
  static final int LEASE = 2;

  Vertx client;
  CourierNode a;
  CourierNode u1;
  CourierNode u2;

  @BeforeAll
  void start() {
    CourierConfig conn = nodes.config()
        .with(ConfigKeys.MAX_FRAME_BYTES, MAX_FRAME)
        .with(ConfigKeys.CONN_FRAMES_PER_S, NEVER).with(ConfigKeys.CONN_FRAMES_BURST, FRAMES_BURST)
        .with(ConfigKeys.CONN_BYTES_PER_S, NEVER).with(ConfigKeys.CONN_BYTES_BURST, BYTES_BURST)
        .with(ConfigKeys.RATE_STRIKES, STRIKES).with(ConfigKeys.RATE_STRIKE_WINDOW_MS, 600_000)
        .with(ConfigKeys.GATEWAY_INSTANCES, 1);
    a = nodes.start(conn);
    CourierConfig user = nodes.config()
        .with(ConfigKeys.USER_SENDS_PER_S, NEVER).with(ConfigKeys.USER_SENDS_BURST, USER_BURST)
        .with(ConfigKeys.USER_SENDS_LEASE, LEASE).with(ConfigKeys.RATE_STRIKES, 0)
        .with(ConfigKeys.GATEWAY_INSTANCES, 1);
    u1 = nodes.start(user.with(ConfigKeys.NODE_ID, "rate-u1"));
    u2 = nodes.start(Nodes.joining(user).with(ConfigKeys.NODE_ID, "rate-u2"));
    client = nodes.client();
  }

  private WsProbe connect(CourierNode node, String user) {
    WsProbe p = WsProbe.connect(client, node.port(), nodes.token(user));
    p.next("welcome");
    return p;
  }

  private static JsonObject ping(String ref) {
    return new JsonObject().put("type", "ping").put("ref", ref);
  }

  /** The answer to the frame with {@code ref}: its pong or its error. */
  private static JsonObject answer(WsProbe p, String ref) {
    return p.next(f -> ref.equals(f.getString("ref")), WsProbe.WAIT);
  }

  @Test
  void exactlyTheFrameBurstPassesTheNextIsRateLimitedWithItsRefAndRepeatedAbuseCloses1008() {
    double before = Scrape.of(client, a.port()).value("courier_rate_limited_total", "limit=\"frames\"");
    double closesBefore = Scrape.of(client, a.port()).value("courier_rate_limit_closes_total");
    try (WsProbe p = connect(a, "frames-" + UUID.randomUUID())) {
      for (int i = 0; i < FRAMES_BURST; i++) {
        p.send(ping("ok" + i));
        assertThat(answer(p, "ok" + i).getString("type")).isEqualTo("pong");
      }
      for (int strike = 1; strike < STRIKES; strike++) {
        p.send(ping("over" + strike));
        JsonObject e = answer(p, "over" + strike);
        assertThat(e.getString("type")).isEqualTo("error");
        assertThat(e.getString("code")).isEqualTo("rate_limited");
        assertThat(p.isClosed()).isFalse();
      }
      // A send's ref defaults to its id, in a rate_limited answer too.
      p.send(new JsonObject().put("type", "send").put("id", "s-last").put("to", "x").put("body", 1));
      assertThat(answer(p, "s-last").getString("code")).isEqualTo("rate_limited");
      assertThat(p.awaitClose()).as("the third strike").isEqualTo((short) 1008);
    }
    Scrape s = Scrape.await(client, a.port(), Duration.ofSeconds(10),
        x -> x.value("courier_rate_limit_closes_total") >= closesBefore + 1);
    assertThat(s.value("courier_rate_limited_total", "limit=\"frames\"")).isEqualTo(before + STRIKES);
  }

  @Test
  void exactlyTheByteBurstPassesTheNextFrameIsRateLimitedAndAFreshConnectionHasItsOwnBuckets() {
    String pad = "{\"type\":\"ping\",\"ref\":\"%s\",\"pad\":\"";
    try (WsProbe p = connect(a, "bytes-" + UUID.randomUUID())) {
      // Three frames of exactly 1000 bytes: the 3000-byte burst, to the byte.
      for (int i = 0; i < 3; i++) {
        String head = String.format(pad, "b" + i);
        p.sendText(head + "x".repeat(1000 - head.length() - 2) + "\"}");
        assertThat(answer(p, "b" + i).getString("type")).isEqualTo("pong");
      }
      p.send(ping("tiny"));
      JsonObject e = answer(p, "tiny");
      assertThat(e.getString("code")).as("even one more byte").isEqualTo("rate_limited");
    }
    try (WsProbe fresh = connect(a, "bytes-" + UUID.randomUUID())) {
      fresh.send(ping("fresh"));
      assertThat(answer(fresh, "fresh").getString("type")).isEqualTo("pong");
    }
  }

  @Test
  void aFrameTooLargeStillCostsItsBytes() {
    try (WsProbe p = connect(a, "big-" + UUID.randomUUID())) {
      // 2 x 1500 bytes: each too_large, together the whole byte burst.
      for (int i = 0; i < 2; i++) {
        p.sendText("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(1500 - 25) + "\"}");
        assertThat(p.next("error").getString("code")).isEqualTo("too_large");
      }
      p.send(ping("after"));
      assertThat(answer(p, "after").getString("code")).isEqualTo("rate_limited");
    }
  }

  @Test
  void theBridgeChargesEveryEnvelopeAgainstTheSameLimits() throws Exception {
    String user = "bridge-" + UUID.randomUUID();
    String token = nodes.token(user);
    // Authenticated by its first envelope, which therefore comes before any bucket exists.
    try (RawWebSocket ws = new RawWebSocket(a.port(), "/eventbus/websocket", null, 0)) {
      ws.sendText(new JsonObject().put("type", "register").put("address", "courier.inbox." + user)
          .put("headers", new JsonObject().put("token", token)).encode());
      assertThat(new JsonObject(ws.readFrame(WsProbe.WAIT).text()).getJsonObject("body").getString("type"))
          .isEqualTo("welcome");
      for (int i = 0; i < FRAMES_BURST + STRIKES; i++) {
        ws.sendText(new JsonObject().put("type", "send").put("address", "courier.sync").put("replyAddress", "s" + i)
            .put("body", new JsonObject().put("after", 0)).encode());
        JsonObject reply = new JsonObject(ws.readFrame(WsProbe.WAIT).text());
        assertThat(reply.getString("address")).isEqualTo("s" + i);
        if (i < FRAMES_BURST) {
          assertThat(reply.getJsonObject("body").getString("type")).as("envelope %d", i).isEqualTo("synced");
        } else {
          assertThat(reply.getString("type")).isEqualTo("err");
          assertThat(reply.getString("message")).isEqualTo("rate_limited");
          assertThat(reply.getInteger("failureCode")).isEqualTo(429);
        }
      }
      assertThat(ws.awaitCloseCode(WsProbe.WAIT)).as("the third strike").isEqualTo(1008);
    }
  }

  private static JsonObject send(String id, String to) {
    return new JsonObject().put("type", "send").put("id", id).put("to", to).put("body", id);
  }

  /** Sends one message and returns "sent" or the error code. */
  private static String sendOne(WsProbe p, String id, String to) {
    p.send(send(id, to));
    JsonObject r = answer(p, id);
    return "sent".equals(r.getString("type")) ? "sent" : r.getString("code");
  }

  @Test
  void twoConnectionsOfOneUserOnTwoNodesShareOneSendBucket() {
    String user = "shared-" + UUID.randomUUID();
    String to = "inbox-" + UUID.randomUUID();
    double leasesBefore = Scrape.of(client, u1.port()).value("courier_rate_user_leases_total");
    try (WsProbe on1 = connect(u1, user); WsProbe on2 = connect(u2, user)) {
      // Node 1 leases 2 at a time: 5 sends take 3 leases (6 tokens, one left unspent there).
      for (int i = 0; i < 5; i++) {
        assertThat(sendOne(on1, "a" + i, to)).as("send a%d", i).isEqualTo("sent");
      }
      assertThat(Scrape.of(client, u1.port()).value("courier_rate_user_leases_total") - leasesBefore)
          .as("one cluster call per lease, not per send").isEqualTo(3);
      // Node 2 gets the last 2 tokens of the user's bucket, then nothing.
      assertThat(sendOne(on2, "b0", to)).isEqualTo("sent");
      assertThat(sendOne(on2, "b1", to)).isEqualTo("sent");
      assertThat(sendOne(on2, "b2", to)).isEqualTo("rate_limited");
      // Node 1 still holds one leased token: the burst is spent exactly, across both nodes.
      assertThat(sendOne(on1, "a5", to)).isEqualTo("sent");
      assertThat(sendOne(on1, "a6", to)).isEqualTo("rate_limited");
      assertThat(sendOne(on2, "b3", to)).isEqualTo("rate_limited");
    }
    // What was refused was not stored.
    try (WsProbe reader = connect(u2, to)) {
      reader.send(new JsonObject().put("type", "sync").put("after", 0));
      JsonObject synced = reader.next("synced");
      assertThat(synced.getLong("upTo")).isEqualTo(USER_BURST);
    }
    Scrape s = Scrape.of(client, u2.port());
    assertThat(s.value("courier_rate_limited_total", "limit=\"user_sends\"")).isGreaterThanOrEqualTo(2);
  }

  @Test
  void theUserLimitCountsEveryConnectionOfTheUserOnOneNodeToo() {
    String user = "twice-" + UUID.randomUUID();
    String to = "inbox2-" + UUID.randomUUID();
    try (WsProbe c1 = connect(u1, user); WsProbe c2 = connect(u1, user)) {
      int sent = 0;
      int limited = 0;
      for (int i = 0; i < USER_BURST + 2; i++) {
        String r = sendOne(i % 2 == 0 ? c1 : c2, "t" + i, to);
        if (r.equals("sent")) {
          sent++;
        } else {
          assertThat(r).isEqualTo("rate_limited");
          limited++;
        }
      }
      assertThat(sent).isEqualTo(USER_BURST);
      assertThat(limited).isEqualTo(2);
    }
  }
}
