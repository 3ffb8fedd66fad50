package io.courier.loadgen;

import io.courier.protocol.ClientFrames;
import io.courier.protocol.ErrorCodes;
import io.courier.protocol.FrameTypes;
import io.courier.protocol.HttpPaths;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One simulated user on one WebSocket, doing just enough of protocol v1 for load: welcome, send
 * with resend until `sent`, msg with per-seq dedupe and a batched cumulative ack, sync after a
 * reconnect or a gap. The frames are written with {@link ClientFrames}, as the Java client writes
 * them; what is the load generator's own is the timing (each body carries its send time), the
 * delivery bookkeeping and the raw mode against the forwarder. It is not built on the Java client
 * on purpose: the client's outbox, reconnect backoff and gap timers would sit between a send and
 * what is measured. Everything runs on the connection's own context (one event loop), so no field
 * needs a lock; other threads reach it through {@link #run}.
 *
 * <p>The per-message path is kept lean, since one core of load generator has to keep up with the
 * server under test: the common frames (`sent`, `msg`) are read with {@link FrameScan} rather than
 * parsed into a JSON tree (anything else, or anything unusual, still is), the unanswered sends sit
 * in a {@link PendingSends} ring by number, and a `send` frame is built in one pass with the
 * recipient's name encoded once per connection.
 */
final class Conn {
  /** First resend after a retryable error; each further one of the same send waits twice as long, up to the max. */
  private static final long RESEND_DELAY_MS = 100;
  private static final long RESEND_MAX_DELAY_MS = 3200;

  final int index;
  final String userId;
  /** {@link #userId} as a JSON string, encoded once: it goes into every send to this user. */
  private final String userIdJson;
  private final String token;
  private final Context ctx;
  private final WebSocketClient client;
  private final Target target;
  private final Phases phases;
  private final Counters counters;
  private final AckBatch acks;

  private WebSocket ws;
  private boolean stopping;
  private boolean autoReconnect = true;
  private boolean everConnected;
  private int attempts;
  private String epoch;
  private long contiguous;
  private final TreeSet<Long> ahead = new TreeSet<>();
  private boolean syncing;
  private boolean ackScheduled;
  private long ackedUpTo;
  /** Sends not yet answered with `sent`, by number (id {@code m<number>}), resent in order after a reconnect. */
  private final PendingSends<Pending> pending = new PendingSends<>();
  /** Reused for every frame this connection reads (all on its one event loop). */
  private final FrameScan scan = new FrameScan();
  private int nextNumber;
  private Promise<Long> ready = Promise.promise();

  record Target(String host, int port, boolean raw) {}

  /**
   * A send not yet answered {@code sent}. {@code room} is the run-wide room message number, or -1
   * for a direct message; {@code delivery} the phase it was sent in; {@code retries} the resends
   * after retryable errors so far.
   */
  private static final class Pending {
    final String frame;
    final int recipient;
    final int number;
    final int room;
    final Delivery delivery;
    int retries;

    Pending(String frame, int recipient, int number, int room, Delivery delivery) {
      this.frame = frame;
      this.recipient = recipient;
      this.number = number;
      this.room = room;
      this.delivery = delivery;
    }
  }

  /** join/leave frames waiting for their answer, by ref. */
  private final Map<String, Promise<JsonObject>> requests = new java.util.HashMap<>();

  /** Counters shared by every connection of a run. */
  static final class Counters {
    final java.util.concurrent.atomic.LongAdder connects = new java.util.concurrent.atomic.LongAdder();
    final java.util.concurrent.atomic.LongAdder connectFailures = new java.util.concurrent.atomic.LongAdder();
    final java.util.concurrent.atomic.LongAdder closes = new java.util.concurrent.atomic.LongAdder();
    final java.util.concurrent.atomic.AtomicInteger open = new java.util.concurrent.atomic.AtomicInteger();
    volatile String lastFailure;
  }

  Conn(int index, String userId, String token, Context ctx, WebSocketClient client, Target target, Phases phases,
      Counters counters, AckBatch acks) {
    this.index = index;
    this.userId = userId;
    this.userIdJson = Json.encode(userId);
    this.token = token;
    this.ctx = ctx;
    this.client = client;
    this.target = target;
    this.phases = phases;
    this.counters = counters;
    this.acks = acks;
  }

  void run(Runnable r) {
    ctx.runOnContext(v -> r.run());
  }

  /** The context every piece of this connection's work runs on. */
  Context context() {
    return ctx;
  }

  /** Connects; the future completes with System.nanoTime() when the connection is ready (welcome, synced if needed). */
  Future<Long> connect() {
    Promise<Long> p = Promise.promise();
    run(() -> {
      ready = Promise.promise();
      ready.future().onComplete(p);
      open();
    });
    return p.future();
  }

  /** Closes the socket as a network drop would end it for the client, then reconnects at once. */
  Future<Long> dropAndReconnect() {
    Promise<Long> p = Promise.promise();
    run(() -> {
      ready = Promise.promise();
      ready.future().onComplete(p);
      if (ws != null && !ws.isClosed()) {
        ws.close(); // the close handler reconnects
      } else {
        open();
      }
    });
    return p.future();
  }

  Future<Void> close() {
    Promise<Void> p = Promise.promise();
    run(() -> {
      stopping = true;
      if (ws != null && !ws.isClosed()) {
        ws.close().onComplete(ar -> p.complete());
      } else {
        p.complete();
      }
    });
    return p.future();
  }

  /** Sends one message to {@code recipient}; call on this connection's context (through {@link #run}). */
  void send(Conn recipient, String padding) {
    sendTracked(recipient.userIdJson, recipient.index, false, padding);
  }

  /** Sends one message to {@code room}, which every member must receive; on this connection's context. */
  void sendToRoom(String room, String padding) {
    sendTracked(Json.encode(room), -1, true, padding);
  }

  /**
   * Sends one message to a user outside the fleet (a slow consumer): counted as sent and, once the
   * server answers `sent`, as confirmed, but not expected to arrive while the run lasts.
   */
  void sendUntracked(String userId, String padding) {
    sendTracked(Json.encode(userId), UNTRACKED, false, padding);
  }

  /**
   * One send to a user or, with {@code toRoom}, a room ({@code targetJson}, the name as a JSON
   * string), kept until `sent` answers it. The body is the load generator's measuring payload:
   * sender index {@code s}, message number {@code n}, for a room the run-wide room message number
   * {@code g}, the send time {@code t} (System.nanoTime), the warm-up mark, and the padding. The
   * frame is the one {@link ClientFrames#send} writes, built here in a single pass.
   */
  private void sendTracked(String targetJson, int recipient, boolean toRoom, String padding) {
    Delivery delivery = phases.current();
    int number = nextNumber++;
    int g = toRoom ? delivery.nextRoomMessage() : -1;
    String frame = sendFrame(number, targetJson, toRoom, index, g, System.nanoTime(), delivery == phases.warmup, padding);
    pending.put(number, new Pending(frame, recipient, number, g, delivery));
    delivery.onSent();
    if (isOpen()) {
      ws.writeTextMessage(frame);
    }
  }

  /** The `send` frame of {@link #sendTracked}: {@link ClientFrames#send} of id {@code m<number>} and the body. */
  static String sendFrame(int number, String targetJson, boolean toRoom, int sender, int g, long nanos, boolean warmup,
      String padding) {
    StringBuilder b = new StringBuilder(96 + targetJson.length() + padding.length());
    b.append(SEND_HEAD).append(number).append(toRoom ? ROOM_PART : TO_PART).append(targetJson)
        .append(BODY_PART).append("{\"s\":").append(sender).append(",\"n\":").append(number);
    if (toRoom) {
      b.append(",\"g\":").append(g);
    }
    b.append(",\"t\":").append(nanos);
    if (warmup) {
      b.append(WARMUP_MARK);
    }
    return b.append(",\"p\":\"").append(padding).append("\"}}").toString();
  }

  private static final String SEND_HEAD = "{\"" + ClientFrames.TYPE + "\":" + Json.encode(FrameTypes.SEND) + ",\""
      + ClientFrames.ID + "\":\"m";
  private static final String TO_PART = "\",\"" + ClientFrames.TO + "\":";
  private static final String ROOM_PART = "\",\"" + ClientFrames.ROOM + "\":";
  private static final String BODY_PART = ",\"" + ClientFrames.BODY + "\":";
  /** The body field that marks a message sent during the warm-up. */
  private static final String WARMUP_MARK = ",\"" + Phases.WARMUP_FIELD + "\":1";

  /**
   * A {@code join} or {@code leave} of {@code room}: completes with the answer frame ({@code joined},
   * {@code left} or {@code error}); fails if the connection is not open.
   */
  Future<JsonObject> membership(String type, String room) {
    Promise<JsonObject> p = Promise.promise();
    run(() -> {
      if (!isOpen()) {
        p.fail("connection " + userId + " is not open");
        return;
      }
      String ref = type + "-" + room;
      requests.put(ref, p);
      ws.writeTextMessage(ClientFrames.room(type, room).put(ClientFrames.REF, ref).encode());
    });
    return p.future();
  }

  /** The recipient index of a message to a user outside the fleet. */
  private static final int UNTRACKED = -2;

  /** For tests and the room probe: a raw frame. */
  void write(String frame) {
    run(() -> {
      if (isOpen()) {
        ws.writeTextMessage(frame);
      }
    });
  }

  /**
   * Stops resending: the sends still waiting for `sent` stay unconfirmed. The room scenario calls it
   * before its members leave, so a late resend is not refused as a non-member's.
   */
  void abandonSends() {
    pending.clear();
  }

  int pendingSends() {
    return pending.size();
  }

  private boolean isOpen() {
    return ws != null && !ws.isClosed() && epoch != null;
  }

  java.util.function.Consumer<JsonObject> frameListener;

  private void open() {
    if (stopping) {
      return;
    }
    WebSocketConnectOptions o = new WebSocketConnectOptions().setHost(target.host()).setPort(target.port())
        .setURI(target.raw() ? HttpPaths.WS + "?user=" + userId : HttpPaths.WS).setAllowOriginHeader(false);
    if (!target.raw()) {
      o.addHeader("Authorization", "Bearer " + token);
    }
    client.connect(o).onComplete(ar -> {
      if (ar.failed()) {
        counters.connectFailures.increment();
        counters.lastFailure = String.valueOf(ar.cause().getMessage());
        if (everConnected && autoReconnect && !stopping) {
          reconnectLater();
        } else {
          // A first connect fails fast: the run counts it instead of hiding it behind retries.
          ready.tryFail(ar.cause());
        }
        return;
      }
      attempts = 0;
      everConnected = true;
      counters.connects.increment();
      counters.open.incrementAndGet();
      ws = ar.result();
      ws.textMessageHandler(this::onFrame);
      ws.closeHandler(v -> onClosed());
      ws.exceptionHandler(err -> counters.lastFailure = String.valueOf(err.getMessage()));
    });
  }


  private void onClosed() {
    counters.closes.increment();
    counters.open.decrementAndGet();
    ws = null;
    if (epoch != null) {
      epochForSync = epoch; // the next welcome is a reconnect: sync from where this socket left off
    }
    epoch = null;
    syncing = false;
    requests.values().forEach(r -> r.tryFail("connection closed before the answer"));
    requests.clear();
    if (!stopping && autoReconnect) {
      open();
    }
  }

  private String epochForSync;

  private void reconnectLater() {
    attempts++;
    long delay = Math.min(2_000, 50L * attempts) + (long) (Math.random() * 50);
    ctx.owner().setTimer(delay, t -> run(this::open));
  }

  private void onFrame(String text) {
    if (frameListener == null && scan.scan(text)) {
      if (scan.type == FrameScan.SENT) {
        onSent(scan.sentNumber);
      } else {
        onMsg(scan);
      }
      return;
    }
    JsonObject f;
    try {
      f = new JsonObject(text);
    } catch (RuntimeException e) {
      phases.current().errors.increment();
      return;
    }
    if (frameListener != null) {
      frameListener.accept(f);
    }
    String ref = f.getString(ClientFrames.REF);
    if (ref != null && !requests.isEmpty()) {
      Promise<JsonObject> waiting = requests.remove(ref);
      if (waiting != null) {
        waiting.complete(f);
        return;
      }
    }
    String type = f.getString(ClientFrames.TYPE, "");
    switch (type) {
      case FrameTypes.WELCOME -> onWelcome(f);
      case FrameTypes.MSG -> onMsg(f);
      case FrameTypes.SENT -> onSent(FrameScan.idNumber(f.getString(ClientFrames.ID, "")));
      case FrameTypes.SYNCED -> onSynced(f);
      case FrameTypes.ERROR -> onError(f);
      case FrameTypes.RECONNECT -> {
        if (ws != null) {
          long after = f.getLong(ClientFrames.AFTER_MS, 0L);
          WebSocket s = ws;
          ctx.owner().setTimer(Math.max(1, after), t -> s.close());
        }
      }
      default -> { }
    }
  }

  private void onWelcome(JsonObject f) {
    String newEpoch = f.getString(ClientFrames.EPOCH, "");
    String previous = epochForSync;
    if (previous != null && !previous.equals(newEpoch)) {
      contiguous = 0;
      ahead.clear();
    }
    epoch = newEpoch;
    long lastSeq = f.getLong(ClientFrames.LAST_SEQ, 0L);
    boolean reconnect = previous != null;
    pending.forEach(p -> ws.writeTextMessage(p.frame));
    if (!target.raw() && (reconnect || lastSeq > contiguous)) {
      requestSync();
    } else {
      ready.tryComplete(System.nanoTime());
    }
  }

  private void requestSync() {
    if (syncing || ws == null) {
      return;
    }
    syncing = true;
    ws.writeTextMessage(ClientFrames.sync(contiguous, epoch, null));
  }

  private void onSynced(JsonObject f) {
    syncing = false;
    ready.tryComplete(System.nanoTime());
    if (!ahead.isEmpty() && ahead.first() > contiguous + 1) {
      requestSync();
    }
  }

  /** A `msg` parsed as a JSON object: frames {@link FrameScan} leaves to the general path. */
  private void onMsg(JsonObject f) {
    JsonObject body = f.getJsonObject(ClientFrames.BODY);
    Delivery delivery = phases.of(body);
    if (!firstArrival(delivery, f.getLong(ClientFrames.SEQ, -1L))) {
      return;
    }
    if (body == null || body.getInteger("s") == null || body.getInteger("n") == null) {
      delivery.errors.increment();
      return;
    }
    if (body.getValue("g") instanceof Integer g) {
      delivery.onRoomReceived(g, index, body.getLong("t", 0L));
    } else {
      delivery.onReceived(body.getInteger("s"), body.getInteger("n"), index, body.getLong("t", 0L));
    }
  }

  /** A well-formed `msg` read by {@link FrameScan}: the same checks as above, from its fields. */
  private void onMsg(FrameScan m) {
    Delivery delivery = phases.of(m.warmup);
    if (!firstArrival(delivery, m.seq)) {
      return;
    }
    if (m.roomMessage >= 0) {
      delivery.onRoomReceived(m.roomMessage, index, m.sentNanos);
    } else {
      delivery.onReceived(m.sender, m.number, index, m.sentNanos);
    }
  }

  /**
   * Seq bookkeeping of a `msg` (none against the raw forwarder, which has no seq): false for a
   * retransmit of a seq already seen (counted as redelivered), true for a first arrival.
   */
  private boolean firstArrival(Delivery delivery, long seq) {
    if (target.raw()) {
      return true;
    }
    if (seq <= contiguous || ahead.contains(seq)) {
      delivery.redelivered.increment();
      scheduleAck();
      return false;
    }
    if (seq == contiguous + 1) {
      contiguous = seq;
      while (!ahead.isEmpty() && ahead.first() == contiguous + 1) {
        contiguous = ahead.pollFirst();
      }
    } else {
      ahead.add(seq);
      requestSync();
    }
    scheduleAck();
    return true;
  }

  private void scheduleAck() {
    if (ackScheduled) {
      return;
    }
    ackScheduled = true;
    acks.add(this);
  }

  /** The batched ack ({@link AckBatch}): everything up to the contiguous seq, if that moved. */
  void ackNow() {
    ackScheduled = false;
    if (contiguous > ackedUpTo && ws != null && !ws.isClosed()) {
      ackedUpTo = contiguous;
      ws.writeTextMessage(ACK_HEAD + contiguous + '}');
    }
  }

  /** {@link ClientFrames#ack} without a JSON tree per ack: the frame up to its seq. */
  static final String ACK_HEAD = "{\"" + ClientFrames.TYPE + "\":" + Json.encode(FrameTypes.ACK) + ",\"" + ClientFrames.SEQ
      + "\":";

  /** `sent` for send number {@code number} (-1: an id that is not one of ours). */
  private void onSent(int number) {
    Pending p = number < 0 ? null : pending.remove(number);
    if (p != null && p.room >= 0) {
      p.delivery.onRoomConfirmed(p.room);
    } else if (p != null && p.recipient == UNTRACKED) {
      p.delivery.untrackedConfirmed.increment();
    } else if (p != null) {
      p.delivery.onConfirmed(index, p.number, p.recipient);
    }
  }

  private void onError(JsonObject f) {
    String code = f.getString(ClientFrames.CODE, "");
    String ref = f.getString(ClientFrames.REF);
    int number = FrameScan.idNumber(ref);
    Pending p = number < 0 ? null : pending.get(number);
    if (p == null) {
      phases.current().errors.increment();
      return;
    }
    Delivery delivery = p.delivery;
    delivery.onErrorCode(code);
    if (code.equals(ErrorCodes.RATE_LIMITED) || code.equals(ErrorCodes.UNAVAILABLE) || code.equals(ErrorCodes.OVERLOADED)
        || code.equals(ErrorCodes.INTERNAL)) {
      // At-least-once: the same id again, later each time (docs/protocol.md §8: with backoff), with
      // jitter so that sends refused together do not come back together.
      ctx.owner().setTimer(resendDelayMs(p.retries++, ThreadLocalRandom.current().nextDouble()),
          t -> run(() -> {
            if (pending.get(number) == p && isOpen()) {
              ws.writeTextMessage(p.frame);
            }
          }));
    } else {
      pending.remove(number);
      delivery.rejected.increment();
    }
  }

  /**
   * Delay before resend number {@code retries} (0 = the first) of one send: 100 ms doubling up to
   * 3.2 s, spread over its upper half by {@code jitter} in [0, 1).
   */
  static long resendDelayMs(int retries, double jitter) {
    long base = Math.min(RESEND_MAX_DELAY_MS, RESEND_DELAY_MS << Math.min(retries, 20));
    return base / 2 + (long) (base / 2 * jitter);
  }
}
