package io.courier.node;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A raw protocol client for tests: speaks the wire contract by hand (no Courier client code), so
 * tests check exactly what a client written from protocol.md sees. Blocking helpers with
 * deadlines, for use on the JUnit thread only.
 */
final class WsProbe implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(10);

  private final WebSocketClient client;
  private final WebSocket ws;
  private final LinkedBlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
  private final List<JsonObject> seen = new ArrayList<>();
  private volatile Short closeStatus;
  private volatile String closeReason;

  private WsProbe(WebSocketClient client, WebSocket ws) {
    this.client = client;
    this.ws = ws;
  }

  /**
   * Set on the not yet connected socket: a listener added to connect()'s future from this (non
   * Vert.x) thread may run after the event loop has already read the server's first frame, and a
   * socket without a handler drops it (a lost welcome, seen once in hundreds of runs).
   */
  private void install() {
    ws.textMessageHandler(t -> frames.add(new JsonObject(t)));
    ws.closeHandler(v -> {
      closeReason = ws.closeReason();
      closeStatus = ws.closeStatusCode() == null ? -1 : ws.closeStatusCode();
    });
  }

  static WebSocketConnectOptions options(int port, String token) {
    WebSocketConnectOptions o = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws")
        .setAllowOriginHeader(false);
    if (token != null) {
      o.addHeader("Authorization", "Bearer " + token);
    }
    return o;
  }

  static WsProbe connect(Vertx vertx, int port, String token) {
    return connect(vertx, options(port, token));
  }

  static WsProbe connect(Vertx vertx, WebSocketConnectOptions options) {
    return connect(vertx, options, 1 << 20);
  }

  /** With {@code maxFrameSize}, longer messages are sent as several fragments. */
  static WsProbe connect(Vertx vertx, int port, String token, int maxFrameSize) {
    return connect(vertx, options(port, token), maxFrameSize);
  }

  static WsProbe connect(Vertx vertx, WebSocketConnectOptions options, int maxFrameSize) {
    return connect(vertx, new WebSocketClientOptions().setMaxFrameSize(maxFrameSize).setMaxMessageSize(1 << 22), options);
  }

  /** With client options of the caller's (e.g. TLS trust). */
  static WsProbe connect(Vertx vertx, WebSocketClientOptions clientOptions, WebSocketConnectOptions options) {
    WebSocketClient c = vertx.createWebSocketClient(clientOptions);
    ClientWebSocket ws = c.webSocket();
    WsProbe p = new WsProbe(c, ws);
    p.install();
    try {
      ws.connect(options).await();
    } catch (RuntimeException e) {
      c.close();
      throw e;
    }
    return p;
  }

  /** The HTTP status of a refused handshake. */
  static int refusedStatus(Vertx vertx, WebSocketConnectOptions options) {
    WebSocketClient c = vertx.createWebSocketClient();
    try {
      c.connect(options).await();
      throw new AssertionError("handshake was accepted");
    } catch (UpgradeRejectedException e) {
      return e.getStatus();
    } finally {
      c.close();
    }
  }

  void send(JsonObject frame) {
    ws.writeTextMessage(frame.encode()).await();
  }

  void sendText(String text) {
    ws.writeTextMessage(text).await();
  }

  void sendBinary(Buffer b) {
    ws.writeBinaryMessage(b).await();
  }

  /** The next frame of {@code type}, skipping others (they stay in {@link #seen()}). */
  JsonObject next(String type) {
    return next(f -> type.equals(f.getString("type")), WAIT);
  }

  JsonObject next(Predicate<JsonObject> match, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("no matching frame within " + timeout + "; seen: " + seen);
      }
      JsonObject f;
      try {
        f = frames.poll(left, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
      if (f != null) {
        seen.add(f);
        if (match.test(f)) {
          return f;
        }
      }
    }
  }

  /** The next frame matching {@code match} within {@code window}, or null if none came. */
  JsonObject poll(Predicate<JsonObject> match, Duration window) {
    try {
      return next(match, window);
    } catch (AssertionError none) {
      return null;
    }
  }

  /** Asserts that no frame of {@code type} arrives within {@code window}. */
  void expectNone(String type, Duration window) {
    JsonObject f = poll(x -> type.equals(x.getString("type")), window);
    if (f != null) {
      throw new IllegalStateException("unexpected frame " + f);
    }
  }

  /** Waits for the server to close; returns the close status. */
  short awaitClose() {
    return awaitCloseBy(System.nanoTime() + WAIT.toNanos());
  }

  /** Waits until {@code deadlineNanos} (a {@link System#nanoTime()} value) at most for the close; returns its status. */
  short awaitCloseBy(long deadlineNanos) {
    long deadline = deadlineNanos;
    while (closeStatus == null) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("connection not closed by the deadline");
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
    return closeStatus;
  }

  /** The reason of the close frame received (null before the close or when it had none). */
  String closeReason() {
    return closeReason;
  }

  boolean isClosed() {
    return closeStatus != null;
  }

  List<JsonObject> seen() {
    return seen;
  }

  /** Drops the TCP connection without a close handshake (a vanished client). */
  void drop() {
    ws.close((short) 1000).await();
    client.close();
  }

  @Override
  public void close() {
    try {
      if (closeStatus == null) {
        ws.close().await();
      }
    } catch (RuntimeException ignored) {
      // already gone
    }
    client.close();
  }
}
