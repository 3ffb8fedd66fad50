package io.courier.client;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;

/** One WebSocket and what the client tracks about it. Confined to the client's context. */
final class Connection {
  final long id;
  final WebSocket ws;
  final CourierClientOptions.Server server;
  final String token;
  final long openedAt;
  /** welcome received. */
  boolean welcomed;
  /** The client stopped caring (closed, abandoned or replaced); late events are ignored. */
  boolean gone;
  long lastRxAt;
  /** Highest seq acked on this connection, -1 for none. */
  long ackedSeq = -1;
  long welcomeTimer = -1;
  long pingTimer = -1;
  long pongTimer = -1;
  long serverHintTimer = -1;

  Connection(long id, WebSocket ws, CourierClientOptions.Server server, String token, long now) {
    this.id = id;
    this.ws = ws;
    this.server = server;
    this.token = token;
    this.openedAt = now;
    this.lastRxAt = now;
  }

  /** True when frames may be written: alive, welcomed and Netty's queue not over its mark. */
  boolean writable() {
    return !gone && welcomed && !ws.writeQueueFull();
  }

  void write(String frame) {
    if (!gone) {
      ws.writeTextMessage(frame);
    }
  }

  void cancelTimers(Vertx vertx) {
    for (long t : new long[] {welcomeTimer, pingTimer, pongTimer, serverHintTimer}) {
      if (t >= 0) {
        vertx.cancelTimer(t);
      }
    }
    welcomeTimer = pingTimer = pongTimer = serverHintTimer = -1;
  }
}
