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
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The SockJS event-bus bridge at its edges, over SockJS's raw WebSocket transport
 * ({@code /eventbus/websocket}, one JSON envelope per message): authentication, permitted
 * addresses, the envelope size limit. The browser flows are in {@link BrowserE2ETest}.
 */
class BrowserBridgeTest {
  @RegisterExtension
  static final Nodes<CourierNode> nodes = InProcessNodes.named("sockjs").tokensLasting(Duration.ofMinutes(5));
  private static final int MAX_FRAME = 2048;
  private static final long IDLE_MS = 4000;
  private static Vertx clientVertx;
  private static CourierNode node;

  @BeforeAll
  static void start() {
    CourierConfig cfg = nodes.config()
        .with(ConfigKeys.MAX_FRAME_BYTES, MAX_FRAME).with(ConfigKeys.GATEWAY_INSTANCES, 1)
        .with(ConfigKeys.IDLE_TIMEOUT_MS, IDLE_MS);
    node = nodes.start(cfg);
    clientVertx = nodes.client();
  }

  @Test
  void ownInboxOnlyRepliesAndPushes() throws Exception {
    String carol = "carol-" + UUID.randomUUID();
    String dave = "dave-" + UUID.randomUUID();
    try (Bridge c = Bridge.open("/eventbus/websocket?token=" + nodes.token(carol));
         Bridge d = Bridge.open("/eventbus/websocket")) {
      c.send(new JsonObject().put("type", "register").put("address", "courier.inbox." + dave));
      JsonObject denied = c.next();
      assertThat(denied.getString("type")).isEqualTo("err");
      assertThat(denied.getString("body")).isEqualTo("access_denied");
      assertThat(denied.getString("address")).isEqualTo("courier.inbox." + dave);

      c.send(new JsonObject().put("type", "register").put("address", "courier.inbox." + carol));
      JsonObject welcome = c.next();
      assertThat(welcome.getString("address")).isEqualTo("courier.inbox." + carol);
      assertThat(welcome.getJsonObject("body").getString("type")).isEqualTo("welcome");
      assertThat(welcome.getJsonObject("body").getLong("lastSeq")).isZero();

      // Dave authenticates with headers.token on his first envelope, then sends to carol.
      d.send(new JsonObject().put("type", "register").put("address", "courier.inbox." + dave)
          .put("headers", new JsonObject().put("token", nodes.token(dave))));
      assertThat(d.next().getJsonObject("body").getString("type")).isEqualTo("welcome");
      d.send(new JsonObject().put("type", "send").put("address", "courier.send").put("replyAddress", "r1")
          .put("body", new JsonObject().put("id", "m1").put("to", carol).put("body", new JsonObject().put("t", 1))
              .put("ref", "mine")));
      JsonObject sent = d.next();
      assertThat(sent.getString("address")).isEqualTo("r1");
      assertThat(sent.getJsonObject("body").getString("type")).isEqualTo("sent");
      assertThat(sent.getJsonObject("body").getString("id")).isEqualTo("m1");
      assertThat(sent.getJsonObject("body").containsKey("ref")).isFalse();

      JsonObject msg = c.next().getJsonObject("body");
      assertThat(msg.getString("type")).isEqualTo("msg");
      assertThat(msg.getLong("seq")).isEqualTo(1);
      assertThat(msg.getString("from")).isEqualTo(dave);
      c.send(new JsonObject().put("type", "send").put("address", "courier.ack").put("body", new JsonObject().put("seq", 1)));
      c.send(new JsonObject().put("type", "send").put("address", "courier.sync").put("replyAddress", "s1")
          .put("body", new JsonObject().put("after", 0)));
      assertThat(c.next().getJsonObject("body").getLong("seq")).isEqualTo(1);
      JsonObject synced = c.next();
      assertThat(synced.getString("address")).isEqualTo("s1");
      assertThat(synced.getJsonObject("body").getLong("upTo")).isEqualTo(1);

      // A refused send carries the error code; other addresses and publish are access_denied.
      d.send(new JsonObject().put("type", "send").put("address", "courier.send").put("replyAddress", "r2")
          .put("body", new JsonObject().put("id", "m2").put("body", 1)));
      JsonObject bad = d.next();
      assertThat(bad.getString("type")).isEqualTo("err");
      assertThat(bad.getString("address")).isEqualTo("r2");
      assertThat(bad.getString("message")).isEqualTo("bad_frame");
      assertThat(bad.getInteger("failureCode")).isEqualTo(400);
      d.send(new JsonObject().put("type", "publish").put("address", "courier.node.x").put("body", new JsonObject()));
      assertThat(d.next().getString("body")).isEqualTo("access_denied");
      d.send(new JsonObject().put("type", "send").put("address", "courier.delivery.send").put("replyAddress", "r3")
          .put("body", new JsonObject()));
      JsonObject other = d.next();
      assertThat(other.getString("body")).isEqualTo("access_denied");
      assertThat(other.getString("address")).isEqualTo("r3");
    }
  }

  @Test
  void envelopeLimitAndRefusedSockets() throws Exception {
    String user = "erin-" + UUID.randomUUID();
    try (Bridge b = Bridge.open("/eventbus/websocket?token=" + nodes.token(user))) {
      JsonObject env = new JsonObject().put("type", "send").put("address", "courier.ack")
          .put("body", new JsonObject().put("seq", 0).put("pad", ""));
      int base = env.encode().length();
      int limit = MAX_FRAME + 1024;
      env.getJsonObject("body").put("pad", "x".repeat(limit - base));
      b.send(env); // exactly at the limit: accepted (an ack has no answer)
      env.getJsonObject("body").put("pad", "x".repeat(limit - base + 1));
      b.send(env);
      JsonObject err = b.next();
      assertThat(err.getString("message")).isEqualTo("too_large");
      assertThat(err.getInteger("failureCode")).isEqualTo(413);
      b.expectNothing(Duration.ofMillis(200));
    }
    try (Bridge none = Bridge.open("/eventbus/websocket")) {
      none.send(new JsonObject().put("type", "ping"));
      assertThat(none.awaitClose()).isEqualTo((short) 1008);
    }
    try (Bridge forged = Bridge.open("/eventbus/websocket?token=" + nodes.token(user) + "x")) {
      assertThat(forged.awaitClose()).isEqualTo((short) 1008);
    }
  }

  @Test
  void aSocketThatNeverRegistersItsInboxIsClosedAfterTheIdleTimeout() throws Exception {
    try (Bridge b = Bridge.open("/eventbus/websocket?token=" + nodes.token("frank-" + UUID.randomUUID()))) {
      long opened = System.nanoTime();
      b.send(new JsonObject().put("type", "ping"));
      b.expectNothing(Duration.ofMillis(IDLE_MS - 1500));
      assertThat(b.closed).as("still open before the timeout").isNull();
      assertThat(b.awaitClose()).isEqualTo((short) 1001);
      assertThat(Duration.ofNanos(System.nanoTime() - opened).toMillis()).isGreaterThanOrEqualTo(IDLE_MS - 200);
    }
  }

  /** A raw SockJS WebSocket: one JSON envelope per message, text or binary. Test thread only. */
  private static final class Bridge implements AutoCloseable {
    private final WebSocketClient client;
    private final WebSocket ws;
    private final LinkedBlockingQueue<JsonObject> in = new LinkedBlockingQueue<>();
    private volatile Short closed;

    private Bridge(WebSocketClient client, WebSocket ws) {
      this.client = client;
      this.ws = ws;
    }

    static Bridge open(String uri) {
      WebSocketClient c = clientVertx.createWebSocketClient();
      return c.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(node.port()).setURI(uri)
          .setAllowOriginHeader(false)).map(ws -> {
            Bridge b = new Bridge(c, ws);
            ws.handler(buf -> b.in.add(new JsonObject(buf)));
            ws.closeHandler(v -> b.closed = ws.closeStatusCode() == null ? -1 : ws.closeStatusCode());
            return b;
          }).await();
    }

    void send(JsonObject env) {
      ws.writeTextMessage(env.encode()).await();
    }

    JsonObject next() throws InterruptedException {
      JsonObject f = in.poll(10, TimeUnit.SECONDS);
      assertThat(f).as("an envelope within 10 s").isNotNull();
      return f;
    }

    void expectNothing(Duration window) throws InterruptedException {
      assertThat(in.poll(window.toMillis(), TimeUnit.MILLISECONDS)).isNull();
    }

    short awaitClose() throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (closed == null && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(closed).as("closed within 10 s").isNotNull();
      return closed;
    }

    @Override
    public void close() {
      client.close();
    }
  }
}
