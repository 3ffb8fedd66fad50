package io.courier.client;

import io.courier.protocol.ClientFrames;
import io.courier.protocol.ErrorCodes;
import io.courier.protocol.FrameParser;
import io.courier.protocol.FrameTypes;
import io.courier.protocol.InboxMessage;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Java client of the Courier WebSocket protocol (v1).
 *
 * <p>Connects to {@code ws://host:port/ws} with a JWT from the token supplier (asked again for every
 * connection attempt), reconnects with full-jitter backoff, keeps sends in a bounded outbox and
 * resends them with the same id until the server confirms, and delivers inbox messages to the
 * application exactly once and in seq order per epoch, syncing after every (re)connect.
 *
 * <p>Threads: all state lives on one Vert.x context, taken from {@code vertx.getOrCreateContext()}
 * when the client is created (create it inside a verticle to share that verticle's context). Public
 * methods may be called from any thread; handlers are called on that context and must not block.
 * Set the handlers before {@link #connect()}.
 */
public final class CourierClient {
  private final Context ctx;
  private final CourierClientOptions opts;
  private final ClientEngine engine;
  private final String idPrefix;
  private final AtomicLong idCounter = new AtomicLong();

  private CourierClient(Vertx vertx, CourierClientOptions options, Supplier<Future<String>> tokenSupplier) {
    this.opts = new CourierClientOptions(options);
    opts.validate();
    this.ctx = vertx.getOrCreateContext();
    this.engine = new ClientEngine(vertx, ctx, opts, Objects.requireNonNull(tokenSupplier, "tokenSupplier"));
    byte[] r = new byte[9];
    new SecureRandom().nextBytes(r);
    this.idPrefix = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(r) + "-";
  }

  /**
   * Creates a client; nothing connects until {@link #connect()}.
   *
   * @param tokenSupplier gives the JWT for a connection attempt; called again for every attempt
   *     and on {@code token_expiring}, so it may renew tokens. It may complete on any thread.
   */
  public static CourierClient create(Vertx vertx, CourierClientOptions options,
                                     Supplier<Future<String>> tokenSupplier) {
    return new CourierClient(vertx, options, tokenSupplier);
  }

  // ---- handlers (set before connect) ----

  /** Inbox messages, exactly once and in seq order per epoch. The body is {@code bodyJson()} (JSON text). */
  public CourierClient messageHandler(Handler<InboxMessage> handler) {
    engine.listeners.message = handler;
    return this;
  }

  /** Connection state changes. */
  public CourierClient stateHandler(Handler<StateChange> handler) {
    engine.listeners.state = handler;
    return this;
  }

  /** Messages that can no longer be delivered (retention truncation, epoch reset, inbox rollback). */
  public CourierClient lossHandler(Handler<InboxLoss> handler) {
    engine.listeners.loss = handler;
    return this;
  }

  /**
   * Server frames the client does not consume itself: {@code presence_changed}, unsolicited
   * {@code joined}/{@code left}/{@code presence}, {@code error}s that answer nothing pending, and any
   * frame type added by a later protocol version.
   */
  public CourierClient pushHandler(Handler<JsonObject> handler) {
    engine.listeners.push = handler;
    return this;
  }

  // ---- life cycle ----

  /**
   * Starts connecting (once; later calls return the same future). The future completes at the
   * first {@code welcome}, however many attempts that takes, and fails only if the client stops
   * (a fatal refusal such as 403, or {@link #close()}).
   */
  public Future<Void> connect() {
    return onContext(engine::connect);
  }

  /** Drops the current connection and reconnects now (e.g. after the network changed). */
  public void reconnect() {
    ctx.runOnContext(v -> engine.reconnectNow());
  }

  /**
   * Closes for good: no more reconnects; sends still waiting fail with {@link ClientClosedException}.
   * Completes when the socket is closed.
   */
  public Future<Void> close() {
    return onContext(engine::close);
  }

  // ---- sending ----

  /** Sends {@code bodyJson} (any JSON value, as text) to user {@code to}, with a generated id. */
  public Future<SendReceipt> send(String to, String bodyJson) {
    return send(to, bodyJson, nextId());
  }

  /**
   * Sends with the application's own client message id (1-64 characters, unique per sending user),
   * e.g. one it persisted so that a resend after a restart is recognised as a duplicate.
   */
  public Future<SendReceipt> send(String to, String bodyJson, String id) {
    return enqueue(id, to, null, bodyJson);
  }

  /** Sends {@code bodyJson} to every member of {@code room} (the sender must be a member). */
  public Future<SendReceipt> sendToRoom(String room, String bodyJson) {
    return sendToRoom(room, bodyJson, nextId());
  }

  public Future<SendReceipt> sendToRoom(String room, String bodyJson, String id) {
    return enqueue(id, null, room, bodyJson);
  }

  /** A fresh client message id: a random per-client prefix and a counter (unique per sender). */
  public String nextId() {
    return idPrefix + Long.toString(idCounter.incrementAndGet(), 36);
  }

  private Future<SendReceipt> enqueue(String id, String to, String room, String bodyJson) {
    String badTarget = room == null ? checkName(to, "to") : checkName(room, "room");
    if (badTarget != null) {
      return Future.failedFuture(new IllegalArgumentException(badTarget));
    }
    if (id == null || id.isEmpty() || id.length() > FrameParser.MAX_ID_LENGTH) {
      return Future.failedFuture(new IllegalArgumentException(
          "id must be 1-" + FrameParser.MAX_ID_LENGTH + " characters"));
    }
    if (bodyJson == null) {
      return Future.failedFuture(new IllegalArgumentException("bodyJson must not be null (use \"null\")"));
    }
    try {
      Json.decodeValue(bodyJson);
    } catch (DecodeException e) {
      return Future.failedFuture(new IllegalArgumentException("bodyJson is not valid JSON", e));
    }
    String frame = ClientFrames.send(id, to, room, bodyJson);
    long bytes = frame.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > opts.getMaxFrameBytes()) {
      return Future.failedFuture(new ServerErrorException(ErrorCodes.TOO_LARGE,
          "send frame is " + bytes + " bytes, the limit is " + opts.getMaxFrameBytes()));
    }
    Promise<SendReceipt> p = Promise.promise();
    ctx.runOnContext(v -> {
      if (engine.stopped()) {
        p.fail(new ClientClosedException("client is closed", null));
      } else {
        engine.sends.enqueue(id, frame, bytes, p);
      }
    });
    return p.future();
  }

  // ---- requests that need a live connection ----

  /** Joins {@code room} (allowed by the token's rooms claim); completes on {@code joined}. */
  public Future<Void> join(String room) {
    String bad = checkName(room, "room");
    return bad != null ? Future.failedFuture(new IllegalArgumentException(bad))
        : request(ClientFrames.room(FrameTypes.JOIN, room), FrameTypes.JOINED).mapEmpty();
  }

  /** Leaves {@code room}; completes on {@code left}. */
  public Future<Void> leave(String room) {
    String bad = checkName(room, "room");
    return bad != null ? Future.failedFuture(new IllegalArgumentException(bad))
        : request(ClientFrames.room(FrameTypes.LEAVE, room), FrameTypes.LEFT).mapEmpty();
  }

  /** Who of {@code users} is online, cluster-wide: the {@code presence} frame's {@code users} object. */
  public Future<JsonObject> presence(List<String> users) {
    return request(ClientFrames.users(FrameTypes.PRESENCE, users), FrameTypes.PRESENCE)
        .map(f -> f.getJsonObject(ClientFrames.USERS, new JsonObject()));
  }

  /** Subscribes to {@code presence_changed} for {@code users}; completes with their current presence. */
  public Future<JsonObject> watch(List<String> users) {
    return request(ClientFrames.users(FrameTypes.WATCH, users), FrameTypes.PRESENCE)
        .map(f -> f.getJsonObject(ClientFrames.USERS, new JsonObject()));
  }

  /** Stops {@code presence_changed} for {@code users} (no answer: completes once written). */
  public Future<Void> unwatch(List<String> users) {
    return request(ClientFrames.users(FrameTypes.UNWATCH, users), null).mapEmpty();
  }

  private Future<JsonObject> request(JsonObject frame, String replyType) {
    return onContext(() -> engine.stopped()
        ? Future.failedFuture(new ClientClosedException("client is closed", null))
        : engine.requests.request(frame, replyType));
  }

  // ---- state (any thread) ----

  public ConnectionState state() {
    return engine.state;
  }

  /** Highest inbox seq delivered to the application without a gap, in {@link #epoch()}. */
  public long lastSeq() {
    return engine.inbox.lastSeq;
  }

  /** The inbox epoch the client is in; null before the first welcome (unless resumed). */
  public String epoch() {
    return engine.inbox.epoch;
  }

  /**
   * Where the client is in its inbox (epoch, last seq, and the id and ts of the message at it), to
   * save after handling messages and pass to {@link CourierClientOptions#setResumeFrom(InboxPosition)}.
   */
  public InboxPosition position() {
    return engine.inbox.position;
  }

  /** Sends waiting for their {@code sent} (queued or written). */
  public int pendingSends() {
    return engine.sends.size;
  }

  /** The last welcome's session, or null before the first. */
  public SessionInfo session() {
    return engine.session;
  }

  public ClientStats stats() {
    return engine.stats.snapshot();
  }

  // ---- helpers ----

  private <T> Future<T> onContext(Supplier<Future<T>> action) {
    Promise<T> p = Promise.promise();
    ctx.runOnContext(v -> {
      try {
        action.get().onComplete(p);
      } catch (RuntimeException e) {
        p.fail(e);
      }
    });
    return p.future();
  }

  /** Why {@code value} is not a valid user or room id, or null if it is. */
  private static String checkName(String value, String field) {
    if (value == null || value.isEmpty() || value.length() > FrameParser.MAX_NAME_LENGTH) {
      return field + " must be 1-" + FrameParser.MAX_NAME_LENGTH + " characters";
    }
    return null;
  }
}
