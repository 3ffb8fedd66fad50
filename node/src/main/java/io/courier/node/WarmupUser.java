package io.courier.node;

import io.courier.protocol.ClientFrames;
import io.courier.protocol.FrameTypes;
import io.courier.protocol.HttpPaths;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One loopback client of the warm-up: a real WebSocket to the warm-up node, doing what a chat client
 * does on the hot path (welcome, send until `sent`, msg, batched ack, sync after a reconnect), closed
 * loop with a few sends in flight so it drives the node as fast as the core allows. Everything runs on
 * the user's own context, so no field needs a lock.
 */
final class WarmupUser {
  private static final int IN_FLIGHT = 4;
  private static final long ACK_DELAY_MS = 20;
  private static final long RETRY_MS = 50;
  /** After this many confirmed sends the user reconnects once: a second handshake, and a sync. */
  private static final int RECONNECT_AFTER = 20;
  /** About the size of a chat message (the load generator's default padding). */
  private static final String PADDING = "x".repeat(48);

  private final int index;
  private final String token;
  private final Context ctx;
  private final WebSocketClient client;
  private final int port;
  private final WarmupUser[] everyone;
  private final WarmupLoad.Counts counts;

  private WebSocket ws;
  private String epoch;
  private long contiguous;
  private long ackedUpTo;
  private boolean ackScheduled;
  private int inFlight;
  private long nextId;
  private boolean running = true;
  private boolean reconnected;
  private int confirmedHere;
  private int receivedHere;
  private boolean countedWarm;
  private Promise<Void> opened = Promise.promise();

  WarmupUser(int index, String token, Context ctx, WebSocketClient client, int port, WarmupUser[] everyone,
             WarmupLoad.Counts counts) {
    this.index = index;
    this.token = token;
    this.ctx = ctx;
    this.client = client;
    this.port = port;
    this.everyone = everyone;
    this.counts = counts;
  }

  static String userId(int index) {
    return "warmup-" + index;
  }

  /** Opens the connection; completes at its welcome (or fails when the node refused it). */
  Future<Void> open() {
    ctx.runOnContext(v -> connect());
    return opened.future();
  }

  /**
   * Opens a new connection and drops the old one, as a client does after a network change: a second
   * handshake, then a sync from where it left off. The old socket is not waited for.
   */
  private void reconnect() {
    WebSocket old = ws;
    reconnected = true;
    ws = null;
    epoch = null;
    inFlight = 0; // answers on the old socket are no longer awaited
    old.closeHandler(null);
    old.textMessageHandler(null);
    old.close();
    connect();
  }

  /** No more sends; closes the connection once its sends are answered or {@code graceMs} passed. */
  Future<Void> stop(long graceMs) {
    Promise<Void> closed = Promise.promise();
    ctx.runOnContext(v -> {
      running = false;
      long deadline = System.currentTimeMillis() + graceMs;
      closeWhenIdle(deadline, closed);
    });
    return closed.future();
  }

  private void closeWhenIdle(long deadline, Promise<Void> closed) {
    if (ws == null || ws.isClosed()) {
      closed.tryComplete();
    } else if (inFlight == 0 || System.currentTimeMillis() >= deadline) {
      ws.close().onComplete(ar -> closed.tryComplete());
    } else {
      ctx.owner().setTimer(RETRY_MS, t -> ctx.runOnContext(v -> closeWhenIdle(deadline, closed)));
    }
  }

  private void connect() {
    WebSocketConnectOptions o = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
        .setURI(HttpPaths.WS).setAllowOriginHeader(false).addHeader("Authorization", "Bearer " + token);
    client.connect(o).onComplete(ar -> {
      if (ar.failed()) {
        counts.connectFailures.increment();
        if (running) {
          ctx.owner().setTimer(RETRY_MS, t -> ctx.runOnContext(v -> connect()));
        } else {
          opened.tryFail(ar.cause());
        }
        return;
      }
      counts.connects.increment();
      if (!running) {
        ar.result().close(); // the warm-up ended while this handshake was under way
        opened.tryFail("warm-up over");
        return;
      }
      ws = ar.result();
      ws.textMessageHandler(this::onFrame);
      ws.closeHandler(v -> onClosed());
    });
  }

  private void onClosed() {
    ws = null;
    epoch = null;
    // Sends in flight are lost with the socket as far as this client cares: the warm-up counts only answers.
    inFlight = 0;
  }

  private void onFrame(String text) {
    JsonObject f = new JsonObject(text);
    switch (f.getString(ClientFrames.TYPE, "")) {
      case FrameTypes.WELCOME -> onWelcome(f);
      case FrameTypes.SENT -> {
        inFlight = Math.max(0, inFlight - 1);
        counts.confirmed.increment();
        ++confirmedHere;
        countWarm();
        if (confirmedHere == RECONNECT_AFTER && !reconnected && running) {
          reconnect();
        } else {
          fill();
        }
      }
      case FrameTypes.MSG -> onMsg(f);
      case FrameTypes.ERROR -> {
        // rate_limited or unavailable: the send is not stored; the next one goes out a little later.
        inFlight = Math.max(0, inFlight - 1);
        counts.errors.increment();
        ctx.owner().setTimer(RETRY_MS, t -> ctx.runOnContext(v -> fill()));
      }
      default -> { }
    }
  }

  private void onWelcome(JsonObject f) {
    epoch = f.getString(ClientFrames.EPOCH);
    long lastSeq = f.getLong(ClientFrames.LAST_SEQ, 0L);
    if (lastSeq > contiguous) {
      ws.writeTextMessage(ClientFrames.sync(contiguous, epoch, null));
    }
    opened.tryComplete();
    fill();
  }

  private void onMsg(JsonObject f) {
    long seq = f.getLong(ClientFrames.SEQ, -1L);
    if (seq > contiguous) {
      contiguous = seq;
    }
    counts.delivered.increment();
    receivedHere++;
    countWarm();
    if (!ackScheduled) {
      ackScheduled = true;
      ctx.owner().setTimer(ACK_DELAY_MS, t -> ctx.runOnContext(v -> ack()));
    }
  }

  /** Once per user: it has had a send confirmed and a message delivered (the warm-up's least work). */
  private void countWarm() {
    if (!countedWarm && confirmedHere > 0 && receivedHere > 0) {
      countedWarm = true;
      counts.warmUsers.increment();
    }
  }

  private void ack() {
    ackScheduled = false;
    if (contiguous > ackedUpTo && ws != null && !ws.isClosed()) {
      ackedUpTo = contiguous;
      ws.writeTextMessage(ClientFrames.ack(contiguous));
    }
  }

  private void fill() {
    while (running && epoch != null && ws != null && !ws.isClosed() && inFlight < IN_FLIGHT) {
      int other = (index + 1 + ThreadLocalRandom.current().nextInt(everyone.length - 1)) % everyone.length;
      long n = nextId++;
      String body = "{\"n\":" + n + ",\"t\":" + System.nanoTime() + ",\"p\":\"" + PADDING + "\"}";
      ws.writeTextMessage(ClientFrames.send("w" + n, userId(other), null, body));
      inFlight++;
      counts.sent.increment();
    }
  }
}
