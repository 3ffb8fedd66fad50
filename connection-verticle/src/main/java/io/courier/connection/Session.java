package io.courier.connection;

import io.courier.cluster.PresenceState;
import io.courier.protocol.Addresses;
import io.courier.protocol.Bus;
import io.courier.protocol.ClientFrame;
import io.courier.protocol.CloseCodes;
import io.courier.protocol.ErrorCodes;
import io.courier.protocol.FrameError;
import io.courier.protocol.FrameParser;
import io.courier.protocol.FrameTypes;
import io.courier.protocol.ServerFrames;
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
 * liveness and token expiry. Every method runs on the connection's own context.
 */
final class Session implements WatchSink {
  /** The reason of the drain's reconnect frame and of its 1012 close. */
  static final String DRAINING = "draining";
  private final Transport transport;
  private final Context context;
  private final String sessionId;
  private final GatewaySettings settings;
  private final DeliveryClient delivery;
  private final TokenVerifier verifier;
  private final LiveStream live;
  private final long openedAt;
  private Identity identity;
  private Runnable onClosed = () -> {};

  private long lastActivity;
  private long lastPing;
  private boolean expiringSent;
  private boolean closing;
  private boolean closed;
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

  Session(Transport transport, Context context, String sessionId, Identity identity, GatewaySettings settings,
          DeliveryClient delivery, TokenVerifier verifier, GatewayMetrics metrics, PresenceWatch presence) {
    this.metrics = metrics;
    this.presence = presence;
    this.transport = transport;
    this.context = context;
    this.sessionId = sessionId;
    this.identity = identity;
    this.settings = settings;
    this.delivery = delivery;
    this.verifier = verifier;
    this.live = new LiveStream(context, delivery, identity.userId(), settings, this::write, this::close,
        metrics);
    this.syncReplay = new SyncReplay(delivery, identity.userId(), settings.syncPage(), this::write, this::drained,
        () -> closed, metrics);
    this.openedAt = System.currentTimeMillis();
    this.lastActivity = openedAt;
    this.lastPing = openedAt;
  }

  String userId() {
    return identity.userId();
  }

  String sessionId() {
    return sessionId;
  }

  @Override
  public Context context() {
    return context;
  }

  long openedAt() {
    return openedAt;
  }

  int unackedCount() {
    return live.unackedCount();
  }

  /** Sets what runs once the transport has closed; the transport feeds frames in (e.g. {@link WsTransport#bind}). */
  void start(Runnable onClosed) {
    this.onClosed = onClosed;
  }

  /** First frame: the inbox head as of now; live pushes start after {@code lastSeq}. */
  void welcome(String epoch, long lastSeq, String nodeId) {
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
  void drain(long afterMs) {
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

  void onText(String text) {
    touch();
    if (utf8Length(text) > settings.maxFrameBytes()) {
      writeError(ErrorCodes.TOO_LARGE, "frame exceeds " + settings.maxFrameBytes() + " bytes", null);
      return;
    }
    FrameParser.Result r = FrameParser.parse(text);
    metrics.frameIn(r.ok() ? typeOf(r.frame()) : "invalid");
    if (!r.ok()) {
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
    } else if (f instanceof ClientFrame.Users u && FrameTypes.WATCH.equals(u.type())) {
      onWatch(u);
    } else if (f instanceof ClientFrame.Users u && FrameTypes.UNWATCH.equals(u.type())) {
      onUnwatch(u);
    } else {
      String type = f instanceof ClientFrame.Users u ? u.type() : f instanceof ClientFrame.Join ? "join" : "leave";
      writeError(ErrorCodes.UNAVAILABLE, "'" + type + "' is not available on this server yet", f.ref());
    }
  }

  private void onSend(ClientFrame.Send f) {
    if (f.room() != null) {
      // Room membership needs a join, and this server does not offer rooms yet: nobody is a member.
      writeError(ErrorCodes.FORBIDDEN, "not a member of room '" + f.room() + "'", f.ref());
      return;
    }
    if (pendingSends >= settings.maxPendingSends()) {
      metrics.rateLimited();
      writeError(ErrorCodes.RATE_LIMITED, "too many sends waiting to be stored; resend later", f.ref());
      return;
    }
    pendingSends++;
    // Chained: the next send goes to the store only after this one is stored, keeping arrival order.
    sendChain = sendChain.transform(ignored -> delivery.send(identity.userId(), f).transform(ar -> {
      pendingSends--;
      if (ar.succeeded()) {
        write(ServerFrames.sent(f.id(), ar.result().ts(), ar.result().dup(), f.ref()).encode());
      } else {
        writeFailure(ar.cause(), f.ref());
      }
      return Future.<Void>succeededFuture();
    }));
  }

  private void onRefresh(ClientFrame.Refresh f) {
    verifier.verify(f.token()).onComplete(ar -> {
      if (ar.failed()) {
        writeError(ErrorCodes.FORBIDDEN, "refresh refused: " + ar.cause().getMessage(), f.ref());
      } else if (!ar.result().userId().equals(identity.userId())) {
        writeError(ErrorCodes.FORBIDDEN, "refresh refused: token is for another user", f.ref());
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
    JsonObject req = new JsonObject().put(Bus.V, Bus.VERSION).put(Bus.USERS, f.usersJson());
    context.owner().eventBus().<JsonObject>request(Addresses.PRESENCE_QUERY, req,
            new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(settings.busTimeoutMs()))
        .recover(DeliveryClient::mapFailure)
        .onSuccess(m -> write(ServerFrames.presence(m.body().getJsonObject(Bus.USERS), f.ref()).encode()))
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
  void catchUp() {
    if (!closed && !closing) {
      live.catchUp();
    }
  }

  void onPush(long seq, String pushEpoch, String frame) {
    if (!closed) {
      live.onPush(seq, pushEpoch, frame);
    }
  }

  // ---- periodic checks -----------------------------------------------------------------------

  void tick(long now) {
    if (closed || closing || !live.started()) {
      // Nothing is checked before welcome: it must be the first frame, and setup has its own timeout.
      return;
    }
    if (now >= identity.expiresAt() + settings.leewayMs()) {
      close(CloseCodes.TOKEN_EXPIRED, "token expired");
      return;
    }
    if (now - lastActivity > settings.idleTimeoutMs()) {
      close(CloseCodes.GOING_AWAY, "idle timeout");
      // A client silent this long is presumed gone. The transport would wait for its close handshake
      // (up to the WebSocket closing timeout, 10 s) before reporting the close; presence, routing and
      // the connection count drop it now instead.
      onSocketClosed();
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

  void touch() {
    lastActivity = System.currentTimeMillis();
  }

  private void write(String text) {
    if (!closed && !closing) {
      transport.write(text);
      metrics.frameOut(text);
    }
  }

  private Future<Void> drained() {
    if (!transport.writeQueueFull()) {
      return Future.succeededFuture();
    }
    Promise<Void> p = Promise.promise();
    transport.drainHandler(p::tryComplete);
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

  void close(short code, String reason) {
    if (closed || closing) {
      return;
    }
    closing = true;
    transport.close(code, reason);
  }

  boolean isClosed() {
    return closed;
  }

  void onSocketError(Throwable err) {
    // A fragmented message whose parts pass the frame limit but whose total passes the message
    // limit is refused here by Vert.x, not by Netty: close as Netty does for a single large frame.
    String m = String.valueOf(err.getMessage());
    if (m.contains("max message size")) {
      close(CloseCodes.TOO_LARGE, "message too large");
    }
  }

  void onSocketClosed() {
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

  static int utf8Length(String s) {
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
