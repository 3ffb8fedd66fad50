package io.courier.connection.session;

import io.courier.cluster.PresenceState;
import io.courier.connection.GatewayMetrics;
import io.courier.connection.GatewaySettings;
import io.courier.connection.auth.Identity;
import io.courier.connection.auth.TokenVerifier;
import io.courier.connection.inbox.LiveStream;
import io.courier.connection.inbox.SyncReplay;
import io.courier.connection.transport.Transport;
import io.courier.connection.watch.PresenceWatch;
import io.courier.connection.watch.SessionWatches;
import io.courier.connection.watch.WatchSink;
import io.courier.protocol.Addresses;
import io.courier.protocol.ClientFrame;
import io.courier.protocol.CloseCodes;
import io.courier.protocol.ErrorCodes;
import io.courier.protocol.FrameError;
import io.courier.protocol.FrameParser;
import io.courier.protocol.FrameTypes;
import io.courier.protocol.MetricNames;
import io.courier.protocol.MsgFrame;
import io.courier.protocol.RoomClaims;
import io.courier.protocol.ServerFrames;
import io.courier.protocol.bus.PresenceQuery;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * One client connection: parses its frames, pipelines its sends to delivery one at a time (so
 * one connection's messages are stored in arrival order), hands pushes to its {@link LiveStream}
 * (seq order, gap fill, retransmit until acked), replays on sync ({@link SyncReplay}), and watches
 * liveness and token expiry. It enforces the connection's limits: inbound frames and bytes per
 * second ({@link ConnectionRate}), the user's cluster-wide sends per second
 * ({@link UserSendLimiter}), and a bounded outbound queue ({@link OutboundQueue}) that cuts a client
 * which stops reading. Every method runs on the connection's own context.
 */
public final class Session implements WatchSink {
  /** The reason of the drain's reconnect frame and of its 1012 close. */
  public static final String DRAINING = "draining";
  /** The reason of a 4003 close. */
  static final String REVOKED = "token revoked";
  private final Transport transport;
  private final Context context;
  private final String sessionId;
  private final GatewaySettings settings;
  private final DeliveryClient delivery;
  private final TokenVerifier verifier;
  private final LiveStream live;
  private final long openedAt;
  private final ConnectionRate rate;
  private final UserSendLimiter userSends;
  private final OutboundQueue outbound;
  private Identity identity;
  private Runnable onClosed = () -> {};

  private long lastActivity;
  private long lastPing;
  private boolean expiringSent;
  /** The server has started closing (close frame sent or queued). */
  private boolean closing;
  /** The transport reported its close. */
  private boolean transportClosed;
  /** Presence, counts and the live stream are released; nothing more is written. */
  private boolean closed;
  /** The code and reason of the server's close, when the server closed. */
  private Short closeCode;
  private String closeReason;
  private int pendingSends;
  /** A reconnect hint asked for before welcome went out; sent right after it. -1: none. */
  private long reconnectAfterMs = -1;
  private Future<Void> sendChain = Future.succeededFuture();
  private Future<Void> syncChain = Future.succeededFuture();
  private final SyncReplay syncReplay;
  private final GatewayMetrics metrics;
  private boolean synced;
  private final PresenceWatch presence;
  private final SessionWatches watches = new SessionWatches();
  /** Watch requests one after the other, so their replies reach the client in request order. */
  private Future<Void> watchChain = Future.succeededFuture();

  /** {@code userSends} null: no per-user send limit. */
  public Session(Transport transport, Context context, String sessionId, Identity identity, GatewaySettings settings,
          DeliveryClient delivery, TokenVerifier verifier, GatewayMetrics metrics, PresenceWatch presence,
          UserSendLimiter userSends) {
    this.metrics = metrics;
    this.presence = presence;
    this.userSends = userSends;
    this.transport = transport;
    this.context = context;
    this.sessionId = sessionId;
    this.identity = identity;
    this.settings = settings;
    this.delivery = delivery;
    this.verifier = verifier;
    this.live = new LiveStream(context, delivery, identity.userId(), settings, this::write, this::close,
        metrics);
    this.outbound = new OutboundQueue(settings.maxOutboundBytes(), settings.maxOutboundFrames());
    this.syncReplay = new SyncReplay(delivery, identity.userId(), settings.syncPage(), this::write, outbound::congested,
        this::drained, () -> closed || closing, metrics, live::replayed);
    this.openedAt = System.currentTimeMillis();
    this.rate = new ConnectionRate(settings.rates(), openedAt);
    this.lastActivity = openedAt;
    this.lastPing = openedAt;
  }

  public String userId() {
    return identity.userId();
  }

  public String sessionId() {
    return sessionId;
  }

  @Override
  public Context context() {
    return context;
  }

  public long openedAt() {
    return openedAt;
  }

  public int unackedCount() {
    return live.unackedCount();
  }

  /** Sets what runs once the transport has closed; the transport feeds frames in (e.g. {@link WsTransport#bind}). */
  public void start(Runnable onClosed) {
    this.onClosed = onClosed;
  }

  /** First frame: the inbox head as of now; live pushes start after {@code lastSeq}. */
  public void welcome(String epoch, long lastSeq, String nodeId) {
    if (closed) {
      return;
    }
    write(ServerFrames.welcome(sessionId, identity.userId(), nodeId, epoch, lastSeq, settings.heartbeatMs(),
        identity.expiresAt()).encode());
    live.start(epoch, lastSeq);
    if (reconnectAfterMs >= 0) {
      write(ServerFrames.reconnect(DRAINING, reconnectAfterMs).encode());
    }
  }

  /**
   * The node is draining: tells the client to reconnect (to any node) after {@code afterMs}. The
   * connection keeps serving until the client goes or the drain closes it with 1012. Before welcome
   * the hint is held and follows welcome, which stays the first frame.
   */
  public void drain(long afterMs) {
    if (closed || closing) {
      return;
    }
    if (live.started()) {
      write(ServerFrames.reconnect(DRAINING, afterMs).encode());
    } else {
      reconnectAfterMs = afterMs;
    }
  }

  // ---- inbound frames ------------------------------------------------------------------------

  /** A text message from the client, charged against the connection's rate limits here. */
  public void onText(String text) {
    onFrame(text, true);
  }

  /** A frame the bridge built from an envelope it has already charged ({@link #admit}). */
  public void onBridgeFrame(String text) {
    onFrame(text, false);
  }

  /**
   * Charges one inbound unit of {@code bytes} against the frame and byte rates. Refused: the caller
   * answers rate_limited and then calls {@link #strike()}, which may close the connection (1008).
   */
  public boolean admit(int bytes) {
    ConnectionRate.Verdict v = rate.admit(bytes, System.currentTimeMillis());
    if (v == ConnectionRate.Verdict.OK) {
      return true;
    }
    metrics.rateLimited(v == ConnectionRate.Verdict.FRAMES ? MetricNames.LIMIT_FRAMES : MetricNames.LIMIT_BYTES);
    return false;
  }

  /** Counts one rate_limited answer already written; at COURIER_RATE_STRIKES within the window: close 1008. */
  public void strike() {
    strike(System.currentTimeMillis());
  }

  /** A binary message: not part of the protocol, but it still costs the client its rate. */
  public void onBinary(int bytes) {
    touch();
    if (!admit(bytes)) {
      writeError(ErrorCodes.RATE_LIMITED, "too many frames or bytes per second; slow down", null);
      strike();
      return;
    }
    metrics.frameRefused(GatewayMetrics.REFUSED_BINARY);
    writeError(ErrorCodes.BAD_FRAME, "binary frames are not accepted; send JSON text frames", null);
  }

  /** A message past the transport limit: it cannot be answered frame by frame, so the connection goes. */
  public void onMessageTooLarge() {
    touch();
    metrics.frameRefused(GatewayMetrics.REFUSED_MESSAGE_TOO_LARGE);
    close(CloseCodes.TOO_LARGE, "message too large");
  }

  /** A text message that is not UTF-8 (RFC 6455 §8.1: fail the connection). */
  public void onInvalidUtf8() {
    touch();
    metrics.frameRefused(GatewayMetrics.REFUSED_INVALID_UTF8);
    close(CloseCodes.INVALID_DATA, "text frame is not valid UTF-8");
  }

  private void onFrame(String text, boolean charge) {
    touch();
    int bytes = utf8Length(text);
    if (charge && !admit(bytes)) {
      // Parsed only to find the ref to echo; the frame itself is not acted on.
      String ref = bytes <= settings.maxFrameBytes() ? refOf(FrameParser.parse(text, settings.jsonLimits())) : null;
      writeError(ErrorCodes.RATE_LIMITED, "too many frames or bytes per second; slow down", ref);
      strike();
      return;
    }
    if (bytes > settings.maxFrameBytes()) {
      metrics.frameRefused(GatewayMetrics.REFUSED_TOO_LARGE);
      writeError(ErrorCodes.TOO_LARGE, "frame exceeds " + settings.maxFrameBytes() + " bytes", null);
      return;
    }
    FrameParser.Result r = FrameParser.parse(text, settings.jsonLimits());
    metrics.frameIn(r.ok() ? typeOf(r.frame()) : "invalid");
    if (!r.ok()) {
      metrics.frameRefused(GatewayMetrics.REFUSED_BAD_FRAME);
      FrameError e = r.error();
      writeError(e.code(), e.message(), e.ref());
      return;
    }
    ClientFrame f = r.frame();
    if (f instanceof ClientFrame.Send s) {
      onSend(s);
    } else if (f instanceof ClientFrame.Ack a) {
      live.ack(a.seq());
    } else if (f instanceof ClientFrame.Sync s) {
      if (!synced && s.after() > 0) {
        // The client carries a position from an earlier session: this connection resumes it.
        metrics.reconnect();
      }
      synced = true;
      syncChain = syncChain.transform(ignored -> syncReplay.run(s).recover(err -> {
        writeFailure(err, s.ref());
        return Future.succeededFuture();
      }));
    } else if (f instanceof ClientFrame.Ping p) {
      write(ServerFrames.pong(p.ref()).encode());
    } else if (f instanceof ClientFrame.Refresh rf) {
      onRefresh(rf);
    } else if (f instanceof ClientFrame.Users u && FrameTypes.PRESENCE.equals(u.type())) {
      onPresence(u);
    } else if (f instanceof ClientFrame.Join j) {
      onMembership(j.room(), j.ref(), true);
    } else if (f instanceof ClientFrame.Leave l) {
      onMembership(l.room(), l.ref(), false);
    } else if (f instanceof ClientFrame.Users u && FrameTypes.WATCH.equals(u.type())) {
      onWatch(u);
    } else if (f instanceof ClientFrame.Users u && FrameTypes.UNWATCH.equals(u.type())) {
      onUnwatch(u);
    } else {
      String type = ((ClientFrame.Users) f).type();
      writeError(ErrorCodes.BAD_FRAME, "unsupported frame type '" + type + "'", f.ref());
    }
  }

  /**
   * join / leave: allowed only for rooms the token's rooms claim covers (the claim of the token the
   * connection holds now, so a refresh can widen or narrow it). Queued on the send chain, so a join
   * followed by a room send on this connection is stored in that order, and counted against the
   * same backlog limit.
   */
  private void onMembership(String room, String ref, boolean join) {
    String type = join ? FrameTypes.JOIN : FrameTypes.LEAVE;
    if (!RoomClaims.covers(identity.rooms(), room)) {
      writeError(ErrorCodes.FORBIDDEN, "the token's rooms claim does not cover room '" + room + "'", ref);
      return;
    }
    if (pendingSends >= settings.maxPendingSends()) {
      // The store is behind, not the client out of line: no strike.
      metrics.rateLimited(MetricNames.LIMIT_PENDING_SENDS);
      writeError(ErrorCodes.RATE_LIMITED, "too many requests waiting; resend the " + type + " later", ref);
      return;
    }
    pendingSends++;
    metrics.pendingSendsChanged(1);
    sendChain = sendChain.transform(ignored -> {
      Future<Boolean> done = join ? delivery.join(identity.userId(), room) : delivery.leave(identity.userId(), room);
      return done.transform(ar -> {
        if (ar.succeeded()) {
          write((join ? ServerFrames.joined(room, ref) : ServerFrames.left(room, ref)).encode());
        } else {
          writeFailure(ar.cause(), ref);
        }
        return Future.<Void>succeededFuture();
      });
    }).eventually(() -> {
      pendingSends--;
      metrics.pendingSendsChanged(-1);
      return Future.succeededFuture();
    });
  }

  private void onSend(ClientFrame.Send f) {
    // A room send is checked for membership by delivery, where membership lives, in the same chain.
    if (pendingSends >= settings.maxPendingSends()) {
      // The store is behind, not the client out of line: no strike.
      metrics.rateLimited(MetricNames.LIMIT_PENDING_SENDS);
      writeError(ErrorCodes.RATE_LIMITED, "too many sends waiting to be stored; resend later", f.ref());
      return;
    }
    pendingSends++;
    metrics.pendingSendsChanged(1);
    // Chained: the next send goes to the store only after this one is stored, keeping arrival order.
    // The user's allowance is taken in the same order, so its answers keep that order too.
    sendChain = sendChain.transform(ignored -> allowance().compose(allowed -> {
      if (!allowed) {
        metrics.rateLimited(MetricNames.LIMIT_USER_SENDS);
        writeError(ErrorCodes.RATE_LIMITED, "too many sends per second from this user; resend later", f.ref());
        strike(System.currentTimeMillis());
        return Future.<Void>succeededFuture();
      }
      return delivery.send(identity.userId(), f).transform(ar -> {
        if (ar.succeeded()) {
          write(ServerFrames.sent(f.id(), ar.result().ts(), ar.result().dup(), f.ref()).encode());
        } else {
          writeFailure(ar.cause(), f.ref());
        }
        return Future.<Void>succeededFuture();
      });
    }).eventually(() -> {
      pendingSends--;
      metrics.pendingSendsChanged(-1);
      return Future.succeededFuture();
    }));
  }

  private Future<Boolean> allowance() {
    return userSends == null || closed ? Future.succeededFuture(true)
        : userSends.acquire(identity.userId(), System.currentTimeMillis());
  }

  private void strike(long now) {
    if (rate.strike(now) && !closing && !closed) {
      metrics.rateLimitClosed();
      close(CloseCodes.POLICY, "rate limit exceeded repeatedly");
    }
  }

  private static String refOf(FrameParser.Result r) {
    return r.ok() ? r.frame().ref() : r.error().ref();
  }

  private void onRefresh(ClientFrame.Refresh f) {
    verifier.verify(f.token()).onComplete(ar -> {
      if (ar.failed()) {
        writeError(ErrorCodes.FORBIDDEN, "refresh refused: " + ar.cause().getMessage(), f.ref());
      } else if (!ar.result().userId().equals(identity.userId())) {
        writeError(ErrorCodes.FORBIDDEN, "refresh refused: token is for another user", f.ref());
      } else if (verifier.revoked(ar.result())) {
        // Revoked while it was being verified: a sweep may already have passed this connection by.
        writeError(ErrorCodes.FORBIDDEN, "refresh refused: token revoked", f.ref());
      } else {
        identity = ar.result();
        expiringSent = false;
        write(ServerFrames.refreshed(identity.expiresAt(), f.ref()).encode());
      }
    });
  }

  private void onPresence(ClientFrame.Users f) {
    if (f.users().size() > presence.maxQueryUsers()) {
      writeError(ErrorCodes.BAD_FRAME, "at most " + presence.maxQueryUsers() + " users per presence request", f.ref());
      return;
    }
    JsonObject req = new PresenceQuery.Request(f.users()).toJson();
    context.owner().eventBus().<JsonObject>request(Addresses.PRESENCE_QUERY, req,
            new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(settings.busTimeoutMs()))
        .recover(DeliveryClient::mapFailure)
        .onSuccess(m -> write(ServerFrames.presence(PresenceQuery.Reply.fromJson(m.body()).usersJson(), f.ref()).encode()))
        .onFailure(err -> writeFailure(err, f.ref()));
  }

  /**
   * Watches the users (a repeated user, or one already watched, counts once) and answers with their
   * state as a {@code presence} frame; from then on their transitions come as {@code presence_changed}.
   * Refused whole with {@code rate_limited} when it would take the connection past its cap.
   */
  private void onWatch(ClientFrame.Users f) {
    List<String> users = SessionWatches.distinct(f.users());
    List<String> fresh = watches.fresh(users);
    if (watches.size() + fresh.size() > presence.maxWatchedUsers()) {
      presence.refused();
      writeError(ErrorCodes.RATE_LIMITED, "a connection watches at most " + presence.maxWatchedUsers()
          + " users (" + watches.size() + " now); unwatch some first", f.ref());
      return;
    }
    watches.begin(users);
    // Through compose, so even a call that throws ends in the failure branch and releases what begin() holds.
    watchChain = watchChain.transform(ignored -> Future.succeededFuture()
        .compose(v -> presence.watch(this, users, fresh))
        .transform(ar -> {
          watched(f, users, fresh, ar);
          return Future.<Void>succeededFuture();
        }));
  }

  /** The watch took effect (the reply, then changes held meanwhile) or failed (the error). */
  private void watched(ClientFrame.Users f, List<String> users, List<String> fresh,
                       AsyncResult<Map<String, PresenceState>> ar) {
    if (closed) {
      return;
    }
    if (ar.succeeded()) {
      JsonObject states = new JsonObject();
      for (String u : users) {
        states.put(u, ar.result().getOrDefault(u, PresenceState.unknown(u)).wire());
      }
      write(ServerFrames.presence(states, f.ref()).encode());
      tell(watches.complete(users, ar.result()).tell());
    } else {
      SessionWatches.Outcome o = watches.fail(users, fresh);
      presence.forget(this, o.dropped());
      writeFailure(ar.cause(), f.ref());
      tell(o.tell());
    }
  }

  private void onUnwatch(ClientFrame.Users f) {
    presence.unwatch(this, watches.remove(SessionWatches.distinct(f.users())));
  }

  @Override
  public void onPresenceChanged(PresenceState state, String frame) {
    if (!closed && watches.accept(state)) {
      write(frame);
      presence.pushed();
    }
  }

  private void tell(List<PresenceState> changes) {
    for (PresenceState s : changes) {
      write(ServerFrames.presenceChanged(s.user(), s.online(), s.devices(), s.since()).encode());
      presence.pushed();
    }
  }

  // ---- live pushes ---------------------------------------------------------------------------

  /** Reads the inbox head and pushes whatever this connection has not been sent yet. */
  public void catchUp() {
    if (!closed && !closing) {
      live.catchUp();
    }
  }

  public void onPush(String pushEpoch, MsgFrame frame) {
    if (!closed) {
      live.onPush(pushEpoch, frame);
    }
  }

  /**
   * Closes with 4003 if the connection's current token is revoked. Runs on this session's context,
   * after a revocation reached the node's list, and once as the session is registered (a handshake
   * verified just before the revocation arrived is caught here).
   */
  public void closeIfRevoked() {
    if (!closed && !closing && verifier.revoked(identity)) {
      metrics.revokedClose();
      close(CloseCodes.REVOKED, REVOKED);
    }
  }

  // ---- periodic checks -----------------------------------------------------------------------

  public void tick(long now) {
    if (closed || closing || !live.started()) {
      // Nothing is checked before welcome: it must be the first frame, and setup has its own timeout.
      return;
    }
    if (now >= identity.expiresAt() + settings.leewayMs()) {
      close(CloseCodes.TOKEN_EXPIRED, "token expired");
      return;
    }
    if (now - lastActivity >= settings.idleTimeoutMs()) {
      // Silent for two heartbeats (by default): the client is gone or cut off (a half-open TCP
      // connection never errors on its own). Released now, not after a close handshake that
      // will not come.
      metrics.idleClosed();
      close(CloseCodes.GOING_AWAY, "idle timeout", true);
      return;
    }
    if (!expiringSent && now >= identity.expiresAt() - settings.tokenExpiringMs()) {
      expiringSent = true;
      write(ServerFrames.tokenExpiring(identity.expiresAt()).encode());
    }
    if (now - lastPing >= settings.heartbeatMs()) {
      lastPing = now;
      transport.ping();
    }
    live.retransmitDue(now);
  }

  // ---- output and lifecycle ------------------------------------------------------------------

  public void touch() {
    lastActivity = System.currentTimeMillis();
  }

  private void write(String text) {
    if (closed || closing) {
      return;
    }
    int size = utf8Length(text);
    if (!outbound.offer(size)) {
      // The client does not read as fast as frames come: cut it before it holds more memory. Its
      // messages stay in the inbox; it syncs when it comes back.
      metrics.slowConsumerClosed(MetricNames.SLOW_OUTBOUND);
      close(CloseCodes.TRY_AGAIN_LATER, "client not reading: outbound queue full", true);
      return;
    }
    metrics.outboundChanged(size, 1);
    metrics.frameOut(text);
    transport.write(text).onComplete(ar -> {
      outbound.done(size);
      metrics.outboundChanged(-size, -1);
    });
  }

  /** Completes once the outbound queue is below a quarter of its limits (at once if it is). */
  private Future<Void> drained() {
    Promise<Void> p = Promise.promise();
    outbound.whenDrained(p::tryComplete);
    return p.future();
  }

  private void writeError(String code, String message, String ref) {
    write(ServerFrames.error(code, message, ref).encode());
  }

  private void writeFailure(Throwable err, String ref) {
    if (err instanceof DeliveryClient.WireError w) {
      writeError(w.code, w.getMessage(), ref);
    } else {
      writeError(ErrorCodes.INTERNAL, "internal error", ref);
    }
  }

  public void close(short code, String reason) {
    close(code, reason, false);
  }

  /**
   * Sends a close frame. A client that does not answer it within COURIER_CLOSE_TIMEOUT_MS has its
   * TCP connection dropped: one that stopped reading never even receives the frame, and the
   * transport would wait for it forever. {@code releaseNow}: the client is presumed gone, so its
   * presence and resources are released at once rather than after that wait.
   */
  private void close(short code, String reason, boolean releaseNow) {
    if (closing || transportClosed) {
      return;
    }
    closing = true;
    closeCode = code;
    closeReason = reason;
    transport.close(code, reason);
    context.owner().setTimer(settings.closeTimeoutMs(), id -> {
      if (!transportClosed) {
        transport.abort();
      }
    });
    if (releaseNow) {
      release();
    }
  }

  boolean isClosed() {
    return closed;
  }

  /** The close code for logs and metrics: the server's when it closed, else the client's (null: none). */
  public Short closeCode() {
    return closeCode != null ? closeCode : transport.closeStatusCode();
  }

  /** The reason matching {@link #closeCode()}. */
  public String closeReason() {
    return closeCode != null ? closeReason : transport.closeReason();
  }

  /**
   * Transport errors. A WebSocket protocol violation (bad opcode, unmasked frame, oversized control
   * frame, a single frame past the transport's bound, ...) makes Vert.x drop the connection right
   * after this handler, without a close frame; closing here first tells the client why: 1002, or
   * 1009 for the oversized frame.
   */
  public void onSocketError(Throwable err) {
    if (err instanceof io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException c) {
      metrics.frameRefused(GatewayMetrics.REFUSED_PROTOCOL);
      boolean tooBig = c.closeStatus() != null && c.closeStatus().code() == CloseCodes.TOO_LARGE;
      close(tooBig ? CloseCodes.TOO_LARGE : CloseCodes.PROTOCOL_ERROR, tooBig ? "frame too large" : "protocol error");
    }
  }

  public void onSocketClosed() {
    transportClosed = true;
    release();
  }

  private void release() {
    if (closed) {
      return;
    }
    closed = true;
    live.stop();
    presence.unwatch(this, watches.clear());
    onClosed.run();
  }

  static String typeOf(ClientFrame f) {
    if (f instanceof ClientFrame.Send) {
      return FrameTypes.SEND;
    } else if (f instanceof ClientFrame.Ack) {
      return FrameTypes.ACK;
    } else if (f instanceof ClientFrame.Sync) {
      return FrameTypes.SYNC;
    } else if (f instanceof ClientFrame.Ping) {
      return FrameTypes.PING;
    } else if (f instanceof ClientFrame.Refresh) {
      return FrameTypes.REFRESH;
    } else if (f instanceof ClientFrame.Users u) {
      return u.type();
    }
    return f instanceof ClientFrame.Join ? FrameTypes.JOIN : FrameTypes.LEAVE;
  }

  public static int utf8Length(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }
}
