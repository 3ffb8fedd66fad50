package io.courier.connection.session;

import io.courier.connection.GatewayMetrics;
import io.courier.connection.GatewaySettings;
import io.courier.connection.auth.Identity;
import io.courier.connection.auth.TokenVerifier;
import io.courier.connection.inbox.LiveStream;
import io.courier.connection.inbox.SyncReplay;
import io.courier.connection.transport.Transport;
import io.courier.protocol.CloseCodes;
import io.courier.protocol.ErrorCodes;
import io.courier.protocol.MetricNames;
import io.courier.protocol.MsgFrame;
import io.courier.protocol.ServerFrames;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;

/**
 * One client connection: its state, what it writes and how it closes. Its frames go through
 * {@link FrameDispatch} to one class per concern: sends and room requests in arrival order
 * ({@link SendPipeline}, {@link RoomRequests}), acks and syncs ({@link InboxRequests}), presence
 * and watching ({@link PresenceRequests}), the token's life ({@link TokenRefresh}) and liveness
 * ({@link Liveness}). Pushes go out through its {@link LiveStream} (seq order, gap fill,
 * retransmit until acked). It holds the connection's limits: inbound frames and bytes per second
 * ({@link ConnectionRate}) and a bounded outbound queue ({@link OutboundQueue}) that cuts a client
 * which stops reading. Every method runs on the connection's own context.
 */
public final class Session {
  /** The reason of the drain's reconnect frame and of its 1012 close. */
  public static final String DRAINING = "draining";
  /** The reason of a 4003 close. */
  static final String REVOKED = "token revoked";
  private final Transport transport;
  private final Context context;
  private final String sessionId;
  private final GatewaySettings settings;
  private final TokenVerifier verifier;
  private final GatewayMetrics metrics;
  private final long openedAt;
  private final ConnectionRate rate;
  private final OutboundQueue outbound;
  private final LiveStream live;
  private final Liveness liveness;
  private final TokenRefresh refresh;
  private final PresenceRequests presence;
  private final FrameDispatch frames;
  private Identity identity;
  private Runnable onClosed = () -> {};

  /** The server has started closing (close frame sent or queued). */
  private boolean closing;
  /** The transport reported its close. */
  private boolean transportClosed;
  /** Presence, counts and the live stream are released; nothing more is written. */
  private boolean closed;
  /** The code and reason of the server's close, when the server closed. */
  private Short closeCode;
  private String closeReason;
  /** A reconnect hint asked for before welcome went out; sent right after it. -1: none. */
  private long reconnectAfterMs = -1;

  public Session(Transport transport, String sessionId, Identity identity, SessionServices services) {
    this.transport = transport;
    this.context = services.context();
    this.sessionId = sessionId;
    this.identity = identity;
    this.settings = services.settings();
    this.verifier = services.verifier();
    this.metrics = services.metrics();
    DeliveryClient delivery = services.delivery();
    this.live = new LiveStream(context, delivery, identity.userId(), settings, this::write, this::close, metrics);
    this.outbound = new OutboundQueue(settings.maxOutboundBytes(), settings.maxOutboundFrames());
    SyncReplay replay = new SyncReplay(delivery, identity.userId(), settings.syncPage(), this::write,
        outbound::congested, this::drained, () -> closed || closing, metrics, live::replayed);
    this.openedAt = System.currentTimeMillis();
    this.rate = new ConnectionRate(settings.rates(), openedAt);
    this.liveness = new Liveness(this, transport, settings, metrics, openedAt);
    this.refresh = new TokenRefresh(this, verifier, settings);
    this.presence = new PresenceRequests(this, services.presence(), settings.busTimeoutMs());
    SendPipeline sends = new SendPipeline(this, services);
    this.frames = new FrameDispatch(this, settings, metrics, sends, new RoomRequests(this, sends, delivery),
        new InboxRequests(this, live, replay, metrics), presence, refresh, liveness);
  }

  public String userId() {
    return identity.userId();
  }

  public String sessionId() {
    return sessionId;
  }

  public Context context() {
    return context;
  }

  public long openedAt() {
    return openedAt;
  }

  public int unackedCount() {
    return live.unackedCount();
  }

  /** The token the connection holds now (a refresh replaces it). */
  Identity identity() {
    return identity;
  }

  void identity(Identity refreshed) {
    identity = refreshed;
  }

  /** Sets what runs once the transport has closed; the transport feeds frames in (e.g. {@code WsTransport.bind}). */
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

  // ---- what the transport hands in -----------------------------------------------------------

  /** A text message from the client, charged against the connection's rate limits. */
  public void onText(String text) {
    frames.receive(text, true);
  }

  /** A frame the bridge built from an envelope it has already charged ({@link #admit}). */
  public void onBridgeFrame(String text) {
    frames.receive(text, false);
  }

  /** Anything from the client: it is still there. */
  public void touch() {
    liveness.touch();
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

  void strike(long now) {
    if (rate.strike(now) && !closing && !closed) {
      metrics.rateLimitClosed();
      close(CloseCodes.POLICY, "rate limit exceeded repeatedly");
    }
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

  // ---- periodic checks -----------------------------------------------------------------------

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

  /** The gateway instance's timer: token expiry, idleness, heartbeat, retransmits, in that order. */
  public void tick(long now) {
    if (closed || closing || !live.started()) {
      // Nothing is checked before welcome: it must be the first frame, and setup has its own timeout.
      return;
    }
    if (refresh.closeIfExpired(now) || liveness.closeIfIdle(now)) {
      return;
    }
    refresh.warnIfExpiring(now);
    liveness.heartbeat(now);
    live.retransmitDue(now);
  }

  // ---- output and lifecycle ------------------------------------------------------------------

  void write(String text) {
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

  void writeError(String code, String message, String ref) {
    write(ServerFrames.error(code, message, ref).encode());
  }

  /** A failed request's error frame: its wire code when it has one, else internal. */
  void writeFailure(Throwable err, String ref) {
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
  void close(short code, String reason, boolean releaseNow) {
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

  private void release() {
    if (closed) {
      return;
    }
    closed = true;
    live.stop();
    presence.release();
    onClosed.run();
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
