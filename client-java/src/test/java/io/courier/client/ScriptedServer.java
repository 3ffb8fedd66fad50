package io.courier.client;

import io.courier.protocol.FrameTypes;
import io.courier.protocol.ServerFrames;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A real WebSocket server on loopback that speaks the Courier protocol only as far as a test
 * scripts it: it refuses or accepts upgrades, sends a welcome, answers pings, and hands every other
 * frame to the test, which answers by hand. It lets component tests drive the client through server
 * behaviour a real node rarely shows (Retry-After, 4003, truncation, silence).
 */
final class ScriptedServer implements AutoCloseable {
  /** An HTTP refusal of the upgrade. */
  record Refusal(int status, Map<String, String> headers) {}

  /** One accepted connection, seen from the server. */
  static final class Peer {
    final ServerWebSocket ws;
    final String authorization;
    final BlockingQueue<JsonObject> received = new LinkedBlockingQueue<>();
    final AtomicInteger pings = new AtomicInteger();
    volatile boolean closed;

    Peer(ServerWebSocket ws, String authorization) {
      this.ws = ws;
      this.authorization = authorization;
    }

    /** The next frame of {@code type}, skipping others; fails the test after the deadline. */
    JsonObject next(String type) {
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      try {
        while (true) {
          JsonObject f = received.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
          if (f == null) {
            throw new AssertionError("no '" + type + "' frame within 10 s");
          }
          if (type.equals(f.getString("type"))) {
            return f;
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }

    /** The next frame of {@code type} within {@code ms}, or null. */
    JsonObject poll(String type, long ms) {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
      try {
        while (true) {
          long left = deadline - System.nanoTime();
          JsonObject f = left <= 0 ? null : received.poll(left, TimeUnit.NANOSECONDS);
          if (f == null || type.equals(f.getString("type"))) {
            return f;
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    }

    void send(JsonObject frame) {
      ws.writeTextMessage(frame.encode());
    }

    void send(String frameText) {
      ws.writeTextMessage(frameText);
    }

    void close(short code, String reason) {
      ws.close(code, reason);
    }
  }

  private final Vertx vertx;
  private HttpServer server;
  final BlockingQueue<Peer> peers = new LinkedBlockingQueue<>();
  final List<String> handshakeTokens = new CopyOnWriteArrayList<>();
  /** Decides per upgrade request whether to refuse it (null: accept). */
  volatile Function<Integer, Refusal> gate = n -> null;
  /** The inbox's last seq that the default welcome reports (a client ahead of it sees a rollback). */
  volatile long lastSeq;
  /** The welcome for the n-th accepted connection (1-based); null sends none. */
  volatile Function<Integer, JsonObject> welcome = n -> ServerFrames.welcome("s" + n, "bob", "node-1", "e1", lastSeq,
      25_000, System.currentTimeMillis() + 3_600_000);
  volatile boolean answerPings = true;
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger accepted = new AtomicInteger();

  ScriptedServer(Vertx vertx) {
    this.vertx = vertx;
  }

  int start() {
    server = vertx.createHttpServer().requestHandler(this::handle);
    return server.listen(0, "127.0.0.1").await().actualPort();
  }

  private void handle(HttpServerRequest req) {
    int n = requests.incrementAndGet();
    String auth = req.getHeader("Authorization");
    handshakeTokens.add(auth == null ? "" : auth.replaceFirst("^Bearer ", ""));
    Refusal refusal = gate.apply(n);
    if (refusal != null) {
      refusal.headers().forEach(req.response()::putHeader);
      req.response().setStatusCode(refusal.status()).end();
      return;
    }
    req.toWebSocket().onSuccess(ws -> {
      int k = accepted.incrementAndGet();
      Peer p = new Peer(ws, auth);
      ws.closeHandler(v -> p.closed = true);
      ws.textMessageHandler(text -> {
        JsonObject f = new JsonObject(text);
        if (FrameTypes.PING.equals(f.getString("type"))) {
          p.pings.incrementAndGet();
          if (answerPings) {
            p.send(ServerFrames.pong(f.getString("ref")));
          }
          return;
        }
        p.received.add(f);
      });
      JsonObject w = welcome.apply(k);
      if (w != null) {
        p.send(w);
      }
      peers.add(p);
    });
  }

  /** The next accepted connection; fails the test after 10 s. */
  Peer nextPeer() {
    try {
      Peer p = peers.poll(10, TimeUnit.SECONDS);
      if (p == null) {
        throw new AssertionError("no connection within 10 s");
      }
      return p;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  int upgradeRequests() {
    return requests.get();
  }

  @Override
  public void close() {
    if (server != null) {
      server.close().await();
    }
  }
}
