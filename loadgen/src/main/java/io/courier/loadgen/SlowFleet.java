package io.courier.loadgen;

import io.courier.protocol.ClientFrames;
import io.courier.protocol.FrameTypes;
import io.courier.protocol.HttpPaths;
import io.courier.tokens.TokenIssuer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Clients that connect, authenticate, wait for welcome and then never read again: each socket is
 * paused (Netty stops reading it) and has a small receive buffer, so whatever the server sends
 * piles up on the server's side. They never answer a ping either. What the server does with them
 * (cut them, keep its memory bounded) is read from its metrics, not from these sockets.
 */
final class SlowFleet {
  /** Receive buffer of a slow socket: small, so the server's side fills with little traffic. */
  static final int RECEIVE_BUFFER = 4096;

  final List<String> users = new ArrayList<>();
  private final List<String> tokens = new ArrayList<>();
  private final List<WebSocket> sockets = new ArrayList<>();
  private final List<WebSocketClient> clients = new ArrayList<>();
  private final Vertx vertx;
  private final String host;
  private final int port;
  final AtomicInteger opened = new AtomicInteger();
  final AtomicInteger failed = new AtomicInteger();
  volatile String lastFailure;

  SlowFleet(Vertx vertx, Options o, String runId, String secret) {
    this.vertx = vertx;
    this.host = o.host;
    this.port = o.port;
    int n = o.localSlow();
    int addresses = Math.max(1, (n + o.perAddress - 1) / o.perAddress);
    for (int a = 0; a < addresses; a++) {
      WebSocketClientOptions wo = new WebSocketClientOptions().setMaxConnections(n / addresses + 16)
          .setReceiveBufferSize(RECEIVE_BUFFER).setConnectTimeout((int) o.connectTimeout.toMillis())
          .setClosingTimeout(1);
      if (!host.contains(":")) {
        // Past the normal fleet's source addresses, so both fit in the ephemeral ports.
        wo.setLocalAddress(Fleet.sourceAddress(200 + a + o.shardIndex * addresses));
      }
      clients.add(vertx.createWebSocketClient(wo));
    }
    Duration ttl = o.duration.plus(o.drain).plus(Duration.ofMinutes(15));
    for (int i = 0; i < n; i++) {
      String user = "lg-" + runId + "-" + o.shardIndex + "-slow-" + i;
      users.add(user);
      tokens.add(TokenIssuer.issue(secret, user, ttl, List.of()));
    }
  }

  /** Opens every slow client, {@code concurrency} handshakes at a time; never fails, counts. */
  Future<Void> open(int concurrency) {
    Promise<Void> done = Promise.promise();
    AtomicInteger next = new AtomicInteger();
    AtomicInteger finished = new AtomicInteger();
    int n = users.size();
    if (n == 0) {
      return Future.succeededFuture();
    }
    Runnable[] step = new Runnable[1];
    step[0] = () -> {
      int i = next.getAndIncrement();
      if (i >= n) {
        return;
      }
      openOne(i).onComplete(ar -> {
        if (ar.succeeded()) {
          opened.incrementAndGet();
        } else {
          failed.incrementAndGet();
          lastFailure = String.valueOf(ar.cause().getMessage());
        }
        if (finished.incrementAndGet() == n) {
          done.complete();
        } else {
          step[0].run();
        }
      });
    };
    for (int k = 0; k < Math.min(concurrency, n); k++) {
      step[0].run();
    }
    return done.future();
  }

  private Future<Void> openOne(int i) {
    WebSocketClient c = clients.get(i % clients.size());
    WebSocketConnectOptions o = new WebSocketConnectOptions().setHost(host).setPort(port).setURI(HttpPaths.WS)
        .setAllowOriginHeader(false).addHeader("Authorization", "Bearer " + tokens.get(i));
    // Handlers go on before connecting: the first callers run on the bench's own thread, where a
    // listener on connect()'s future may come after the event loop has read (and, with no handler
    // yet, dropped) the welcome.
    ClientWebSocket ws = c.webSocket();
    Promise<Void> welcomed = Promise.promise();
    ws.textMessageHandler(t -> {
      if (!welcomed.future().isComplete() && FrameTypes.WELCOME.equals(new JsonObject(t).getString(ClientFrames.TYPE))) {
        // From here on this client reads nothing more.
        ws.pause();
        welcomed.tryComplete();
      }
    });
    ws.closeHandler(v -> welcomed.tryFail("closed before welcome"));
    return ws.connect(o).compose(connected -> {
      synchronized (sockets) {
        sockets.add(connected);
      }
      return welcomed.future();
    });
  }

  Future<Void> closeAll() {
    List<Future<Void>> fs = new ArrayList<>();
    synchronized (sockets) {
      for (WebSocket ws : sockets) {
        fs.add(ws.isClosed() ? Future.succeededFuture() : ws.close().recover(e -> Future.succeededFuture()));
      }
    }
    return Future.join(fs).transform(ar -> Future.join(clients.stream().map(WebSocketClient::close).toList()))
        .mapEmpty();
  }
}
