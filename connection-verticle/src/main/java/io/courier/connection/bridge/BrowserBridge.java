package io.courier.connection.bridge;

import io.courier.connection.handshake.Admission;
import io.courier.connection.handshake.ConnectionGuard;
import io.courier.connection.handshake.PendingHandshakes;
import io.courier.protocol.HttpPaths;
import io.courier.protocol.MetricNames;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import java.util.Set;

/**
 * The SockJS event-bus bridge for browsers (the Vert.x bridge client) at {@code /eventbus}: one
 * {@link BridgeSocket} per socket, admitted like a WebSocket ({@link Admission}). Until it
 * authenticates, a socket is held and timed by the server's {@link ConnectionGuard} like any other.
 */
public final class BrowserBridge implements BridgeSocket.Host {
  private final Vertx vertx;
  private final Admission admission;
  private final ConnectionGuard guard;
  private final PendingHandshakes pending;
  private final Set<String> bridgeSessions;
  private final long registerTimeoutMs;
  private final long authTimeoutMs;
  private final int maxFrameBytes;

  /**
   * {@code bridgeSessions}: the node's authenticated SockJS sessions over polling transports (SockJS
   * keeps its sessions node-wide, so a poll may reach any gateway instance); {@code registerTimeoutMs}:
   * how long an authenticated socket may go without registering its inbox; {@code authTimeoutMs}: how
   * long it may take to authenticate.
   */
  public BrowserBridge(Vertx vertx, Admission admission, ConnectionGuard guard, PendingHandshakes pending,
                       Set<String> bridgeSessions, long registerTimeoutMs, long authTimeoutMs, int maxFrameBytes) {
    this.vertx = vertx;
    this.admission = admission;
    this.guard = guard;
    this.pending = pending;
    this.bridgeSessions = bridgeSessions;
    this.registerTimeoutMs = registerTimeoutMs;
    this.authTimeoutMs = authTimeoutMs;
    this.maxFrameBytes = maxFrameBytes;
  }

  public void mount(Router router) {
    SockJSHandlerOptions sockJs = new SockJSHandlerOptions().setRegisterWriteHandler(false);
    router.route(HttpPaths.EVENT_BUS + "/*").subRouter(SockJSHandler.create(vertx, sockJs)
        .socketHandler(sock -> new BridgeSocket(sock, this, admission, maxFrameBytes).start()));
    // A poll of an authenticated SockJS session is a connection like a WebSocket: not pending.
    guard.trust(req -> {
      String session = BridgeSocket.pollingSessionId(req.path());
      return session != null && bridgeSessions.contains(session);
    });
  }

  @Override
  public void later(long delayMs, Runnable action) {
    vertx.setTimer(Math.max(1, delayMs), id -> action.run());
  }

  @Override
  public long registerTimeoutMs() {
    return registerTimeoutMs;
  }

  @Override
  public long authTimeoutMs() {
    return authTimeoutMs;
  }

  @Override
  public void authenticated(HttpConnection upgraded) {
    guard.authenticated(upgraded);
  }

  @Override
  public void authenticated(String sessionId, HttpConnection first) {
    bridgeSessions.add(sessionId);
    if (first != null) {
      guard.trusted(first);
    }
  }

  @Override
  public void ended(String sessionId) {
    bridgeSessions.remove(sessionId);
  }

  @Override
  public void authTimedOut() {
    pending.timedOut(MetricNames.TIMEOUT_BRIDGE_AUTH);
  }
}
