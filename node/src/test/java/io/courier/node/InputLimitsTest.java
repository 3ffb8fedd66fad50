package io.courier.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.testing.Nodes;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Input limits at their edges, over real sockets: JSON shape limits (error bad_frame, connection
 * kept), the transport limit (error too_large up to it, 1009 one byte past it), invalid UTF-8
 * (1007), binary frames (error bad_frame), WebSocket protocol violations (1002), and the JSON
 * limits on the SockJS bridge.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InputLimitsTest {
  @RegisterExtension
  static final Nodes<CourierNode> nodes = InProcessNodes.named("input");
  static final int MAX_FRAME = 4096;
  /** max(4 x 4096, 4096 + 1024) */
  static final int TRANSPORT_LIMIT = 16384;

  Vertx client;
  CourierNode node;

  @BeforeAll
  void start() {
    CourierConfig cfg = nodes.config()
        .with(ConfigKeys.MAX_FRAME_BYTES, MAX_FRAME)
        .with(ConfigKeys.MAX_JSON_DEPTH, 4).with(ConfigKeys.MAX_JSON_FIELDS, 20)
        .with(ConfigKeys.MAX_JSON_KEY_CHARS, 16).with(ConfigKeys.MAX_JSON_STRING_CHARS, 100);
    node = nodes.start(cfg);
    client = nodes.client();
  }

  private RawWebSocket raw() throws Exception {
    RawWebSocket r = new RawWebSocket(node.port(), nodes.token("raw-" + UUID.randomUUID()));
    r.welcome();
    return r;
  }

  private static void assertAlive(RawWebSocket r, String ref) throws Exception {
    r.sendText(new JsonObject().put("type", "ping").put("ref", ref).encode());
    assertThat(r.nextJson("pong", Duration.ofSeconds(10)).getString("ref")).isEqualTo(ref);
  }

  private static JsonObject errorFor(RawWebSocket r, String text) throws Exception {
    r.sendText(text);
    return r.nextJson("error", Duration.ofSeconds(10));
  }

  // ---- JSON shape -----------------------------------------------------------------------------

  @Test
  void jsonShapeLimitsAnswerBadFrameWithTheRefAndKeepTheConnection() throws Exception {
    try (RawWebSocket r = raw()) {
      // depth: the frame is level 1, so "x":[[[]]] reaches level 4
      assertAlive(r, "d4");
      r.sendText("{\"type\":\"ping\",\"ref\":\"d4b\",\"x\":[[[]]]}");
      assertThat(r.nextJson("pong", Duration.ofSeconds(10)).getString("ref")).isEqualTo("d4b");
      JsonObject deep = errorFor(r, "{\"type\":\"ping\",\"ref\":\"d5\",\"x\":[[[[]]]]}");
      assertThat(deep.getString("code")).isEqualTo("bad_frame");
      assertThat(deep.getString("ref")).isEqualTo("d5");
      assertThat(deep.getString("message")).contains("deeper than 4");

      // fields: type + ref + a = 3 members, plus 17 elements = 20
      r.sendText("{\"type\":\"ping\",\"ref\":\"f20\",\"a\":" + Arrays.toString(new int[17]) + "}");
      assertThat(r.nextJson("pong", Duration.ofSeconds(10)).getString("ref")).isEqualTo("f20");
      JsonObject many = errorFor(r, "{\"type\":\"ping\",\"ref\":\"f21\",\"a\":" + Arrays.toString(new int[18]) + "}");
      assertThat(many.getString("code")).isEqualTo("bad_frame");
      assertThat(many.getString("ref")).isEqualTo("f21");

      // member names and string values
      r.sendText("{\"type\":\"ping\",\"ref\":\"k16\",\"" + "k".repeat(16) + "\":1}");
      assertThat(r.nextJson("pong", Duration.ofSeconds(10)).getString("ref")).isEqualTo("k16");
      assertThat(errorFor(r, "{\"type\":\"ping\",\"ref\":\"k17\",\"" + "k".repeat(17) + "\":1}").getString("ref"))
          .isEqualTo("k17");
      r.sendText("{\"type\":\"ping\",\"ref\":\"s100\",\"s\":\"" + "s".repeat(100) + "\"}");
      assertThat(r.nextJson("pong", Duration.ofSeconds(10)).getString("ref")).isEqualTo("s100");
      JsonObject longString = errorFor(r, "{\"type\":\"send\",\"id\":\"s101\",\"to\":\"b\",\"body\":\""
          + "s".repeat(101) + "\"}");
      assertThat(longString.getString("code")).isEqualTo("bad_frame");
      assertThat(longString.getString("ref")).as("a send's id stands in for its ref").isEqualTo("s101");

      // deep nesting far past the parser's own limit, within the byte limit
      JsonObject abyss = errorFor(r, "{\"type\":\"ping\",\"x\":" + "[".repeat(2000) + "]".repeat(2000) + "}");
      assertThat(abyss.getString("code")).isEqualTo("bad_frame");
      assertAlive(r, "still");
    }
  }

  // ---- sizes ----------------------------------------------------------------------------------

  private static String pingOfBytes(int bytes) {
    String head = "{\"type\":\"ping\",\"pad\":\"";
    return head + "p".repeat(bytes - head.length() - 2) + "\"}";
  }

  @Test
  void exactlyTheTransportLimitGetsTooLargeAndOneByteMoreCloses1009() throws Exception {
    try (RawWebSocket r = raw()) {
      assertThat(errorFor(r, pingOfBytes(TRANSPORT_LIMIT)).getString("code")).isEqualTo("too_large");
      assertAlive(r, "after-limit");
      r.sendText(pingOfBytes(TRANSPORT_LIMIT + 1));
      assertThat(r.awaitCloseCode(Duration.ofSeconds(10))).isEqualTo(1009);
    }
  }

  @Test
  void aFragmentedMessageIsMeasuredWholeAndClosedAsSoonAsItPassesTheLimit() throws Exception {
    try (RawWebSocket r = raw()) {
      byte[] part = new byte[4096];
      Arrays.fill(part, (byte) ' ');
      r.sendFrame(RawWebSocket.TEXT, false, part);
      for (int i = 0; i < 3; i++) {
        r.sendFrame(RawWebSocket.CONTINUATION, false, part);
      }
      // 16384 bytes so far, still within the limit: nothing happens yet.
      assertThat(r.openAfter(Duration.ofMillis(300))).isTrue();
      r.sendFrame(RawWebSocket.CONTINUATION, false, new byte[] {' '});
      assertThat(r.awaitCloseCode(Duration.ofSeconds(10))).isEqualTo(1009);
    }
  }

  // ---- UTF-8 and binary -----------------------------------------------------------------------

  @Test
  void invalidUtf8InATextFrameCloses1007() throws Exception {
    try (RawWebSocket r = raw()) {
      byte[] bad = "{\"type\":\"ping\",\"x\":\"\u00e9\"}".getBytes(StandardCharsets.UTF_8);
      // Replace the 2-byte é with a lone lead byte followed by ASCII: C3 28.
      int i = indexOf(bad, (byte) 0xC3);
      bad[i + 1] = 0x28;
      r.sendFrame(RawWebSocket.TEXT, true, bad);
      assertThat(r.awaitCloseCode(Duration.ofSeconds(10))).isEqualTo(1007);
    }
    try (RawWebSocket r = raw()) {
      // An encoded surrogate (ED A0 80) is not UTF-8 either.
      byte[] head = "{\"type\":\"ping\",\"x\":\"".getBytes(StandardCharsets.UTF_8);
      byte[] frame = concat(head, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, "\"}".getBytes(StandardCharsets.UTF_8));
      r.sendFrame(RawWebSocket.TEXT, true, frame);
      assertThat(r.awaitCloseCode(Duration.ofSeconds(10))).isEqualTo(1007);
    }
  }

  @Test
  void aCharacterSplitAcrossFragmentsIsFineButAMessageEndingInsideOneCloses1007() throws Exception {
    byte[] euro = "\u20ac".getBytes(StandardCharsets.UTF_8);
    try (RawWebSocket r = raw()) {
      r.sendFrame(RawWebSocket.TEXT, false, concat("{\"type\":\"ping\",\"ref\":\"".getBytes(StandardCharsets.UTF_8),
          new byte[] {euro[0]}));
      r.sendFrame(RawWebSocket.CONTINUATION, true, concat(new byte[] {euro[1], euro[2]},
          "\"}".getBytes(StandardCharsets.UTF_8)));
      assertThat(r.nextJson("pong", Duration.ofSeconds(10)).getString("ref")).isEqualTo("\u20ac");
      r.sendFrame(RawWebSocket.TEXT, false, "{\"type\":\"ping\",\"x\":\"".getBytes(StandardCharsets.UTF_8));
      r.sendFrame(RawWebSocket.CONTINUATION, true, new byte[] {euro[0], euro[1]});
      assertThat(r.awaitCloseCode(Duration.ofSeconds(10))).isEqualTo(1007);
    }
  }

  @Test
  void binaryFramesGetBadFrameFragmentedOrNot() throws Exception {
    try (RawWebSocket r = raw()) {
      r.sendFrame(RawWebSocket.BINARY, true, new byte[] {1, 2, 3});
      assertThat(r.nextJson("error", Duration.ofSeconds(10)).getString("code")).isEqualTo("bad_frame");
      r.sendFrame(RawWebSocket.BINARY, false, new byte[] {(byte) 0xff});
      r.sendFrame(RawWebSocket.CONTINUATION, true, new byte[] {(byte) 0xfe});
      assertThat(r.nextJson("error", Duration.ofSeconds(10)).getString("code")).isEqualTo("bad_frame");
      assertAlive(r, "binary-ok");
    }
  }

  // ---- WebSocket protocol violations ------------------------------------------------------------

  @Test
  void protocolViolationsClose1002() throws Exception {
    byte[] ping = new JsonObject().put("type", "ping").encode().getBytes(StandardCharsets.UTF_8);
    record Violation(String what, int opcode, boolean fin, int rsv, boolean masked, byte[] payload) {}
    List<Violation> violations = List.of(
        new Violation("unmasked frame", RawWebSocket.TEXT, true, 0, false, ping),
        new Violation("reserved opcode", 0x3, true, 0, true, ping),
        new Violation("reserved control opcode", 0xB, true, 0, true, new byte[0]),
        new Violation("RSV1 without an extension", RawWebSocket.TEXT, true, 4, true, ping),
        new Violation("continuation without a start", RawWebSocket.CONTINUATION, true, 0, true, ping),
        new Violation("fragmented ping", RawWebSocket.PING, false, 0, true, new byte[] {1}),
        new Violation("ping over 125 bytes", RawWebSocket.PING, true, 0, true, new byte[126]));
    for (Violation v : violations) {
      try (RawWebSocket r = raw()) {
        r.sendFrame(v.opcode(), v.fin(), v.rsv(), v.masked(), v.payload());
        r.flush();
        assertThat(r.awaitCloseCode(Duration.ofSeconds(10))).as(v.what()).isEqualTo(1002);
      }
    }
    Scrape.await(client, node.port(), Duration.ofSeconds(10),
        s -> s.value("courier_frames_refused_total", "reason=\"protocol\"") >= violations.size());
  }

  // ---- the bridge -----------------------------------------------------------------------------

  @Test
  void theBridgeAppliesTheJsonLimitsToTheFrameItBuilds() {
    String user = "bridge-" + UUID.randomUUID();
    WebSocketClient c = client.createWebSocketClient();
    try {
      LinkedBlockingQueue<JsonObject> in = new LinkedBlockingQueue<>();
      WebSocket ws = c.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(node.port())
          .setURI("/eventbus/websocket?token=" + nodes.token(user)).setAllowOriginHeader(false)).await();
      ws.handler(b -> in.add(new JsonObject(b)));
      ws.writeTextMessage(new JsonObject().put("type", "register").put("address", "courier.inbox." + user).encode()).await();
      assertThat(poll(in).getJsonObject("body").getString("type")).isEqualTo("welcome");
      // The body becomes the frame: [[[[1]]]] in it is level 5.
      ws.writeTextMessage(new JsonObject().put("type", "send").put("address", "courier.send").put("replyAddress", "r1")
          .put("body", new JsonObject().put("id", "deep").put("to", user).put("body",
              new io.vertx.core.json.JsonArray("[[[[1]]]]"))).encode()).await();
      JsonObject err = poll(in);
      assertThat(err.getString("type")).isEqualTo("err");
      assertThat(err.getString("address")).isEqualTo("r1");
      assertThat(err.getString("message")).isEqualTo("bad_frame");
      assertThat(err.getJsonObject("body").getString("message")).contains("deeper than 4");
      ws.writeTextMessage(new JsonObject().put("type", "send").put("address", "courier.send").put("replyAddress", "r2")
          .put("body", new JsonObject().put("id", "flat").put("to", user).put("body",
              new io.vertx.core.json.JsonArray("[[1]]"))).encode()).await();
      JsonObject ok = pollUntil(in, f -> "r2".equals(f.getString("address")));
      assertThat(ok.getJsonObject("body").getString("type")).isEqualTo("sent");
    } finally {
      c.close();
    }
  }

  private static JsonObject poll(LinkedBlockingQueue<JsonObject> in) {
    try {
      JsonObject f = in.poll(10, TimeUnit.SECONDS);
      assertThat(f).as("an envelope within 10 s").isNotNull();
      return f;
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  private static JsonObject pollUntil(LinkedBlockingQueue<JsonObject> in, java.util.function.Predicate<JsonObject> p) {
    while (true) {
      JsonObject f = poll(in);
      if (p.test(f)) {
        return f;
      }
    }
  }

  private static int indexOf(byte[] a, byte b) {
    for (int i = 0; i < a.length; i++) {
      if (a[i] == b) {
        return i;
      }
    }
    throw new AssertionError("byte not found");
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int off = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, off, p.length);
      off += p.length;
    }
    return out;
  }
}
