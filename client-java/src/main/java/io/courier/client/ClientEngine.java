package io.courier.client;

import io.courier.protocol.ClientFrames;
import io.courier.protocol.CloseCodes;
import io.courier.protocol.FrameTypes;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection life cycle, on the client's context: token, WebSocket upgrade, welcome, liveness
 * pings, dispatch of server frames to {@link InboxFlow}, {@link SendFlow} and {@link Requests}, and
 * reconnects as {@link ReconnectPolicy} decides. Every field is confined to {@code ctx}, except the
 * volatile ones the facade reads.
 */
final class ClientEngine {
  private static final Logger log = LoggerFactory.getLogger(CourierClient.class);

  final Vertx vertx;
  final Context ctx;
  final Listeners listeners = new Listeners();
  final Stats stats = new Stats();
  final SendFlow sends;
  final InboxFlow inbox;
  final Requests requests;
  private final CourierClientOptions opts;
  private final List<CourierClientOptions.Server> servers;
  private final Connector connector;
  private final ReconnectPolicy policy;
  private final Promise<Void> firstSession = Promise.promise();
  private Connection conn;
  private long attemptId;
  private long connectionIds;
  private int nextServer;
  private long reconnectTimer = -1;
  private boolean started;
  private boolean stopped;
  private Future<Void> closing;
  volatile ConnectionState state = ConnectionState.IDLE;
  volatile SessionInfo session;

  ClientEngine(Vertx vertx, Context ctx, CourierClientOptions opts, Supplier<Future<String>> tokens) {
    this.vertx = vertx;
    this.ctx = ctx;
    this.opts = opts;
    this.servers = opts.servers();
    this.connector = new Connector(vertx, ctx, opts, tokens);
    this.sends = new SendFlow(vertx, opts, stats);
    this.inbox = new InboxFlow(vertx, ctx, opts, stats, listeners, this::onEpochMismatch);
    this.requests = new Requests(vertx, opts);
    this.policy = new ReconnectPolicy(
        Backoff.withDefaultRandom(opts.getReconnectBaseMs(), opts.getReconnectCapMs()), Backoff::uniform,
        opts.getAuthRetries(), opts.getStableConnectionMs());
  }

  // ---- called on ctx by the facade ----

  Future<Void> connect() {
    if (!started && !stopped) {
      started = true;
      attempt();
    }
    return firstSession.future();
  }

  boolean stopped() {
    return stopped;
  }

  /** Drops the current connection (if any) and reconnects at once. */
  void reconnectNow() {
    if (stopped) {
      return;
    }
    if (conn != null) {
      abandon(conn, new ReconnectPolicy.Failed(new ConnectionLostException(CloseCodes.NORMAL,
          "reconnect requested by the application")), true);
    } else if (reconnectTimer >= 0) {
      vertx.cancelTimer(reconnectTimer);
      reconnectTimer = -1;
      attempt();
    }
  }

  Future<Void> close() {
    if (closing == null) {
      WebSocket ws = conn == null ? null : conn.ws;
      stop(null);
      Future<Void> wsClosed = ws == null ? Future.succeededFuture()
          : ws.close(CloseCodes.NORMAL, "client closed").otherwiseEmpty();
      closing = wsClosed.eventually(connector::close);
    }
    return closing;
  }

  // ---- connecting ----

  private void attempt() {
    reconnectTimer = -1;
    if (stopped) {
      return;
    }
    long id = ++attemptId;
    setState(ConnectionState.CONNECTING, 0, null);
    CourierClientOptions.Server server = servers.get(nextServer);
    nextServer = (nextServer + 1) % servers.size();
    connector.token().onComplete(tar -> {
      if (stopped || id != attemptId) {
        return;
      }
      if (tar.failed()) {
        attemptFailed(new ReconnectPolicy.Failed(tar.cause()), null);
        return;
      }
      String token = tar.result();
      if (policy.alreadyRejected(token)) {
        stop(new HandshakeRejectedException(401, -1,
            "handshake refused: 401, and the token supplier returned the same token again"));
        return;
      }
      connector.upgrade(server, token).onComplete(war -> {
        if (stopped || id != attemptId) {
          if (war.succeeded()) {
            war.result().close();
          }
        } else if (war.succeeded()) {
          opened(war.result(), server, token);
        } else if (war.cause() instanceof Connector.AttemptFailed f) {
          attemptFailed(f.ending, token);
        } else {
          attemptFailed(new ReconnectPolicy.Failed(war.cause()), token);
        }
      });
    });
  }

  private void opened(WebSocket ws, CourierClientOptions.Server server, String token) {
    Connection c = new Connection(++connectionIds, ws, server, token, System.currentTimeMillis());
    conn = c;
    ws.textMessageHandler(text -> onText(c, text));
    ws.binaryMessageHandler(b -> c.lastRxAt = System.currentTimeMillis());
    ws.exceptionHandler(e -> log.debug("connection {} to {}: {}", c.id, server, e.toString()));
    ws.closeHandler(v -> {
      if (!c.gone) {
        Short code = ws.closeStatusCode();
        ended(c, new ReconnectPolicy.Closed(code == null ? ConnectionLostException.NO_CLOSE_FRAME : code,
            ws.closeReason()));
      }
    });
    c.welcomeTimer = vertx.setTimer(opts.getWelcomeTimeoutMs(), t -> {
      c.welcomeTimer = -1;
      if (!c.welcomed) {
        abandon(c, new ReconnectPolicy.Failed(new CourierClientException(
            "no welcome within " + opts.getWelcomeTimeoutMs() + " ms")), true);
      }
    });
  }

  private void attemptFailed(ReconnectPolicy.Ending ending, String token) {
    stats.connectFailures++;
    afterEnding(ending, token);
  }

  /** The client gives up on a connection it still holds (silence, timeout, request). */
  private void abandon(Connection c, ReconnectPolicy.Ending why, boolean closeSocket) {
    if (c.gone) {
      return;
    }
    ended(c, why);
    if (closeSocket) {
      c.ws.close(CloseCodes.NORMAL, "client reconnecting");
    }
  }

  private void ended(Connection c, ReconnectPolicy.Ending ending) {
    c.gone = true;
    c.cancelTimers(vertx);
    if (conn != c) {
      return; // not the current connection (cannot happen while it is not gone): nothing to decide
    }
    conn = null;
    inbox.detach();
    sends.detach();
    requests.failAll(new NotConnectedException("connection lost before the answer"));
    if (!c.welcomed) {
      stats.connectFailures++;
    }
    log.debug("connection {} to {} ended: {}", c.id, c.server, ending);
    afterEnding(ending, c.token);
  }

  private void afterEnding(ReconnectPolicy.Ending ending, String token) {
    if (stopped) {
      return;
    }
    ReconnectPolicy.Decision d = policy.decide(ending, token, System.currentTimeMillis());
    if (!d.reconnect()) {
      stop(d.fatal());
      return;
    }
    setState(ConnectionState.RECONNECTING, d.delayMs(), causeOf(ending));
    reconnectTimer = vertx.setTimer(Math.max(1, d.delayMs()), t -> attempt());
  }

  /** Terminal: fails everything pending with the cause (null when the application closed). */
  private void stop(Throwable cause) {
    if (stopped) {
      return;
    }
    stopped = true;
    attemptId++;
    if (reconnectTimer >= 0) {
      vertx.cancelTimer(reconnectTimer);
      reconnectTimer = -1;
    }
    Connection c = conn;
    conn = null;
    if (c != null) {
      c.gone = true;
      c.cancelTimers(vertx);
      if (cause != null) {
        c.ws.close(CloseCodes.NORMAL, "client stopped");
      }
    }
    inbox.detach();
    sends.detach();
    if (cause != null) {
      log.error("Courier client stopped for good: {}", cause.getMessage());
      if (closing == null) {
        closing = connector.close();
      }
    }
    setState(ConnectionState.CLOSED, 0, cause);
    ClientClosedException closed = new ClientClosedException(
        cause == null ? "client closed" : "client stopped: " + cause.getMessage(), cause);
    sends.failAll(closed);
    requests.failAll(closed);
    firstSession.tryFail(cause == null ? closed : cause);
  }

  // ---- frames ----

  private void onText(Connection c, String text) {
    if (c.gone) {
      return;
    }
    c.lastRxAt = System.currentTimeMillis();
    JsonObject f;
    try {
      f = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      log.warn("server frame is not a JSON object; ignored");
      return;
    }
    String type = f.getValue(ClientFrames.TYPE) instanceof String s ? s : "";
    if (!c.welcomed && !FrameTypes.WELCOME.equals(type)) {
      log.debug("{} frame before welcome", type);
    }
    switch (type) {
      case FrameTypes.WELCOME -> onWelcome(c, f);
      case FrameTypes.MSG -> inbox.onMsg(f);
      case FrameTypes.SYNCED -> inbox.onSynced(f);
      case FrameTypes.SENT -> sends.onSent(f);
      case FrameTypes.ERROR -> onError(f);
      case FrameTypes.PONG -> { }
      case FrameTypes.RECONNECT -> onServerReconnect(c, f);
      case FrameTypes.TOKEN_EXPIRING -> refresh(c);
      case FrameTypes.REFRESHED -> requests.onRefreshed(f);
      default -> {
        if (!requests.onReply(type, f)) {
          listeners.push(f);
        }
      }
    }
  }

  private void onWelcome(Connection c, JsonObject f) {
    if (c.welcomed) {
      log.warn("second welcome on one connection ignored");
      return;
    }
    String epoch = f.getValue(ClientFrames.EPOCH) instanceof String e ? e : null;
    if (epoch == null) {
      abandon(c, new ReconnectPolicy.Failed(new CourierClientException("welcome without an epoch")), true);
      return;
    }
    c.welcomed = true;
    if (c.welcomeTimer >= 0) {
      vertx.cancelTimer(c.welcomeTimer);
      c.welcomeTimer = -1;
    }
    session = new SessionInfo(f.getString(ClientFrames.SESSION_ID), f.getString(ClientFrames.USER_ID),
        f.getString(ClientFrames.NODE_ID), epoch, f.getLong(ClientFrames.LAST_SEQ, 0L),
        f.getLong(ClientFrames.HEARTBEAT_MS, 0L), f.getLong(ClientFrames.EXPIRES_AT, 0L));
    policy.connected(System.currentTimeMillis());
    stats.connects++;
    c.pingTimer = vertx.setPeriodic(opts.getPingIntervalMs(), t -> ping(c));
    requests.attach(c);
    inbox.attach(c, epoch, session.serverLastSeq());
    sends.attach(c);
    setState(ConnectionState.CONNECTED, 0, null);
    firstSession.tryComplete();
  }

  private void onError(JsonObject f) {
    String code = f.getString(ClientFrames.CODE, "");
    String message = f.getString(ClientFrames.MESSAGE);
    String ref = f.getString(ClientFrames.REF);
    if (sends.onError(code, message, ref) || inbox.onError(code, ref) || requests.onError(code, message, ref)) {
      return;
    }
    log.warn("server error {}: {} (ref {})", code, message, ref);
    listeners.push(f);
  }

  private void onServerReconnect(Connection c, JsonObject f) {
    long afterMs = Math.max(0, f.getLong(ClientFrames.AFTER_MS, 0L));
    log.info("server {} asks to reconnect in {} ms ({})", c.server, afterMs, f.getString(ClientFrames.REASON));
    policy.serverAsked(afterMs, System.currentTimeMillis());
    if (c.serverHintTimer >= 0) {
      vertx.cancelTimer(c.serverHintTimer);
    }
    c.serverHintTimer = vertx.setTimer(Math.max(1, afterMs), t -> {
      c.serverHintTimer = -1;
      abandon(c, new ReconnectPolicy.Closed(CloseCodes.SERVICE_RESTART, "server asked to reconnect"), true);
    });
  }

  private void refresh(Connection c) {
    if (!opts.isRefreshInBand()) {
      return;
    }
    connector.token().onComplete(ar -> {
      if (c.gone || conn != c) {
        return;
      }
      if (ar.failed() || ar.result().equals(c.token)) {
        log.warn("token expiring and the supplier has no new one; the server will close with 4001 and "
            + "the client reconnects");
        return;
      }
      requests.refresh(c, ar.result());
    });
  }

  private void ping(Connection c) {
    if (c.gone) {
      return;
    }
    long sentAt = System.currentTimeMillis();
    c.write(ClientFrames.PING_FRAME);
    if (c.pongTimer >= 0) {
      return; // an earlier check is still waiting; it covers this ping too
    }
    c.pongTimer = vertx.setTimer(opts.getPongTimeoutMs(), t -> {
      c.pongTimer = -1;
      if (!c.gone && c.lastRxAt < sentAt) {
        abandon(c, new ReconnectPolicy.Failed(new ConnectionLostException(ConnectionLostException.NO_CLOSE_FRAME,
            "no frame within " + opts.getPongTimeoutMs() + " ms of a ping")), true);
      }
    });
  }

  private void onEpochMismatch(String reason) {
    Connection c = conn;
    log.warn("{}; reconnecting to learn the current epoch", reason);
    if (c != null) {
      abandon(c, new ReconnectPolicy.Failed(new CourierClientException(reason)), true);
    }
  }

  // ---- helpers ----

  private void setState(ConnectionState s, long delayMs, Throwable cause) {
    state = s;
    listeners.state(new StateChange(s, delayMs, cause));
  }

  private static Throwable causeOf(ReconnectPolicy.Ending ending) {
    if (ending instanceof ReconnectPolicy.Rejected r) {
      return new HandshakeRejectedException(r.status(), r.retryAfterMs(), "handshake refused: " + r.status());
    }
    if (ending instanceof ReconnectPolicy.Closed c) {
      return new ConnectionLostException(c.code(), c.reason());
    }
    return ((ReconnectPolicy.Failed) ending).cause();
  }
}
