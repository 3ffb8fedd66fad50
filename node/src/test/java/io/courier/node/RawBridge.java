package io.courier.node;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A browser's event-bus bridge socket over SockJS's raw WebSocket transport
 * ({@code /eventbus/websocket}): one JSON envelope per message. Test thread only.
 */
final class RawBridge implements AutoCloseable {
  private final WebSocketClient client;
  private final WebSocket ws;
  private final LinkedBlockingQueue<JsonObject> in = new LinkedBlockingQueue<>();
  private volatile Short closed;

  private RawBridge(WebSocketClient client, WebSocket ws) {
    this.client = client;
    this.ws = ws;
  }

  /** Opens the socket with {@code ?token=} and registers the user's inbox (which sends welcome). */
  static RawBridge open(Vertx vertx, int port, String token) {
    WebSocketClient c = vertx.createWebSocketClient();
    return c.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
        .setURI("/eventbus/websocket?token=" + token).setAllowOriginHeader(false)).map(ws -> {
          RawBridge b = new RawBridge(c, ws);
          ws.handler(buf -> b.in.add(new JsonObject(buf)));
          ws.closeHandler(v -> b.closed = ws.closeStatusCode() == null ? -1 : ws.closeStatusCode());
          return b;
        }).await();
  }

  void register(String user) {
    ws.writeTextMessage(new JsonObject().put("type", "register").put("address", "courier.inbox." + user).encode())
        .await();
  }

  /** The next envelope's body frame type (e.g. "welcome"), within 10 s. */
  String nextType() throws InterruptedException {
    JsonObject f = in.poll(10, TimeUnit.SECONDS);
    if (f == null) {
      throw new AssertionError("no envelope within 10 s");
    }
    return f.getValue("body") instanceof JsonObject b ? b.getString("type") : f.getString("type");
  }

  /** The close code, waiting at most 10 s. */
  short awaitClose() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (closed == null && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    if (closed == null) {
      throw new AssertionError("not closed within 10 s");
    }
    return closed;
  }

  boolean isClosed() {
    return closed != null;
  }

  String closeReason() {
    return ws.closeReason();
  }

  @Override
  public void close() {
    client.close();
  }
}
