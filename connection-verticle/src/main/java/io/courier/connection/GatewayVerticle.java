package io.courier.connection;

import io.courier.cluster.NodeContext;
import io.courier.cluster.Presence;
import io.courier.cluster.UserSendBuckets;
import io.courier.connection.auth.Identity;
import io.courier.connection.auth.JwtKeys;
import io.courier.connection.auth.Revocations;
import io.courier.connection.auth.TokenVerifier;
import io.courier.connection.bridge.BridgeSocket;
import io.courier.connection.handshake.ConnectionGuard;
import io.courier.connection.handshake.OriginPolicy;
import io.courier.connection.handshake.PendingHandshakes;
import io.courier.connection.handshake.Tls;
import io.courier.connection.ops.OpsRoutes;
import io.courier.connection.ops.RoomAdminRoutes;
import io.courier.connection.session.DeliveryClient;
import io.courier.connection.session.Session;
import io.courier.connection.session.Sessions;
import io.courier.connection.session.UserSendLimiter;
import io.courier.connection.transport.Transport;
import io.courier.connection.transport.WsTransport;
import io.courier.connection.watch.PresenceWatch;
import io.courier.protocol.CloseCodes;
import io.courier.protocol.ConfigKeys;
import io.courier.protocol.HttpPaths;
import io.courier.cluster.LocalServices;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.FileSystemAccess;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WebSocket gateway on one event loop: authenticates the handshake (Origin, then JWT) before
 * upgrading, opens a {@link Session} per socket, registers it in presence, and sends welcome. Several
 * instances share the port; each checks its own sessions on a timer (pings, idleness, retransmits,
 * token expiry) instead of keeping timers per connection. The same server answers the health checks
 * and the admin drain call ({@link OpsRoutes}); during a drain it refuses new handshakes with 503.
 */
public final class GatewayVerticle extends VerticleBase {
  public static final String WS_PATH = HttpPaths.WS;
  /** The SockJS event-bus bridge for browsers ({@link BridgeSocket}). */
  public static final String BRIDGE_PATH = HttpPaths.EVENT_BUS;
  /** The demo chat page and the browser client, served from the jar. */
  static final String WEB_ROOT = "webroot";
  private static final Logger LOG = LoggerFactory.getLogger(GatewayVerticle.class);
  /** How long a drain waits for the close handshakes of its 1012 closes before it counts as done. */
  static final long DRAIN_CLOSE_WAIT_MS = 2000;
  /** Retry-After (seconds) of a handshake refused at COURIER_MAX_CONNECTIONS, or when presence is unreachable. */
  static final int FULL_RETRY_AFTER_S = 5;
  /**
   * Retry-After (seconds) of a handshake refused at COURIER_MAX_CONNECTIONS_PER_USER: a place frees
   * only when one of the user's own connections closes, so retrying sooner is no use.
   */
  static final int USER_LIMIT_RETRY_AFTER_S = 30;

  private final NodeContext node;
  private final Sessions sessions;
  private final JwtKeys keys;
  private final Revocations revocations;
  private final Drain drain;
  private final GatewayMetrics metrics;
  private final int maxConnections;
  private int maxPerUser;
  private final PresenceWatch presenceWatch;
  private final Set<Session> local = new HashSet<>();
  private final Drain.Participant participant = new Drain.Participant() {
    @Override
    public Context context() {
      return context;
    }

    @Override
    public Future<Void> drain(long deadline) {
      return drainLocal(deadline);
    }
  };
  private Promise<Void> drained;
  private GatewaySettings settings;
  private TokenVerifier verifier;
  private OriginPolicy origins;
  private DeliveryClient delivery;
  private Presence presence;
  private UserSendLimiter userSends;
  private HttpServer server;
  private final PendingHandshakes pending;
  private final java.util.Set<String> bridgeSessions;
  private final ConnectionGuard.Settings guardSettings;
  private ConnectionGuard guard;

  public GatewayVerticle(NodeContext node, Sessions sessions, Drain drain, GatewayMetrics metrics, int maxConnections,
                        JwtKeys keys, Revocations revocations, PresenceWatch presenceWatch, PendingHandshakes pending,
                        ConnectionGuard.Settings guardSettings, java.util.Set<String> bridgeSessions) {
    this.bridgeSessions = bridgeSessions;
    this.pending = pending;
    this.guardSettings = guardSettings;
    this.node = node;
    this.presenceWatch = presenceWatch;
    this.sessions = sessions;
    this.drain = drain;
    this.metrics = metrics;
    this.maxConnections = maxConnections;
    this.keys = keys;
    this.revocations = revocations;
  }

  @Override
  public Future<?> start() {
    settings = GatewaySettings.from(node.config());
    verifier = new TokenVerifier(vertx, keys, node.config(), revocations);
    maxPerUser = settings.maxPerUser();
    origins = new OriginPolicy(node.config().getList(ConfigKeys.ALLOWED_ORIGINS));
    delivery = new DeliveryClient(vertx.eventBus(), settings.busTimeoutMs(),
        () -> LocalServices.present(vertx, LocalServices.DELIVERY));
    // With the node's metrics: a connect or disconnect that changes a user's online state tells watchers.
    presence = node.presence();
    if (settings.userSends().enabled()) {
      // One limiter per instance: its leases are spent on this event loop without locks.
      userSends = new UserSendLimiter(UserSendLimiter.cluster(new UserSendBuckets(node.hazelcast()), context,
          settings.userSends().ratePerS(), settings.userSends().burst()), settings.userSends().lease(),
          metrics::userLease);
    }

    Router router = Router.router(vertx);
    router.get(WS_PATH).handler(this::handshake);
    OpsRoutes ops = new OpsRoutes(vertx, node, drain, sessions, verifier, settings.healthTimeoutMs(), presence, metrics,
        maxConnections, revocations);
    ops.mount(router);
    new RoomAdminRoutes(delivery).mount(router, ops::asAdmin);
    mountBrowserRoutes(router);

    // The transport takes messages up to max(4x the frame limit, limit + 1 KiB) so that a merely
    // large frame gets a too_large error frame. A larger message is refused as soon as it passes
    // that (MessageAssembler) and the connection closed with 1009. Netty's own per-frame bound sits
    // at twice that: only a single frame past it makes Netty close (1009) while it still arrives.
    // The message size below applies to the SockJS bridge's WebSocket, which Vert.x assembles.
    int transportLimit = settings.transportLimit();
    HttpServerOptions options = new HttpServerOptions()
        .setMaxWebSocketFrameSize(transportLimit * 2)
        .setMaxWebSocketMessageSize(transportLimit)
        // permessage-deflate costs a compression context per connection; JSON chat frames are small.
        .setPerMessageWebSocketCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false);
    Tls.configure(options, node.config());
    ConnectionGuard.configure(options, guardSettings);
    if (settings.tcpSendBufferBytes() > 0) {
      // A small kernel buffer lets a client that stopped reading fill its outbound queue sooner.
      options.setSendBufferSize(settings.tcpSendBufferBytes());
    }
    vertx.setPeriodic(settings.tickMs(), id -> tick());
    io.courier.cluster.NodeMetrics.startLagProbe(vertx, node.metrics());
    // Every socket is timed and counted until it is an authenticated connection (ConnectionGuard).
    guard = new ConnectionGuard(vertx, pending, guardSettings, node.nodeId());
    server = guard.install(vertx.createHttpServer(options), router);
    // A poll of an authenticated SockJS session is a connection like a WebSocket: not pending.
    guard.trust(req -> {
      String session = BridgeSocket.pollingSessionId(req.path());
      return session != null && bridgeSessions.contains(session);
    });
    drain.register(participant);
    return server.listen(node.config().getInt(ConfigKeys.PORT), node.config().get(ConfigKeys.HOST));
  }

  @Override
  public Future<?> stop() {
    drain.unregister(participant);
    if (guard != null) {
      guard.stop();
    }
    for (Session s : new ArrayList<>(local)) {
      s.close(CloseCodes.GOING_AWAY, "server stopping");
    }
    return server == null ? Future.succeededFuture() : server.close();
  }

  /** The port the server listens on (useful with port 0). */
  public int actualPort() {
    return server.actualPort();
  }

  private void handshake(RoutingContext rc) {
    HttpServerRequest req = rc.request();
    if (!"websocket".equalsIgnoreCase(req.getHeader(HttpHeaders.UPGRADE))) {
      refuse(rc, 400, "upgrade", "upgrade", "WebSocket upgrade required");
      return;
    }
    if (drain.isDraining()) {
      refuseDraining(rc);
      return;
    }
    if (!origins.allows(req.getHeader(HttpHeaders.ORIGIN))) {
      refuse(rc, 403, "origin", "origin", "origin not allowed");
      return;
    }
    // Checked before the token: a full node spends nothing on a handshake it cannot take.
    if (!sessions.tryAdmit(maxConnections)) {
      rc.response().putHeader(HttpHeaders.RETRY_AFTER, String.valueOf(FULL_RETRY_AFTER_S));
      refuse(rc, 503, "limit", "limit", "node at its connection limit, retry later");
      return;
    }
    // The header wins over ?token= whenever it is present, even when it is not a Bearer token.
    String authorization = req.getHeader(HttpHeaders.AUTHORIZATION);
    String token = authorization != null ? bearer(authorization) : req.getParam("token");
    // Paused while the token is checked, or the upgrade never completes (see vertx-notes §2).
    req.pause();
    verifier.verify(token).onComplete(ar -> {
      if (ar.failed()) {
        sessions.release();
        req.resume();
        TokenVerifier.Rejected r = TokenVerifier.rejection(ar.cause());
        metrics.authFailure(r.reason);
        if (TokenVerifier.REVOKED.equals(r.reason)) {
          refuse(rc, 403, r.reason, "revoked", r.refusal());
        } else {
          refuse(rc, 401, r.reason, "auth", r.refusal());
        }
        return;
      }
      if (drain.isDraining()) {
        sessions.release();
        req.resume();
        refuseDraining(rc);
        return;
      }
      Identity identity = ar.result();
      String sessionId = UUID.randomUUID().toString();
      // Registered in presence before the upgrade: the per-user limit is checked and taken in one
      // step, so a refusal is still plain HTTP.
      presence.addDeviceWithin(identity.userId(), sessionId, node.nodeId(), maxPerUser).onComplete(reg -> {
        if (reg.failed() || !reg.result()) {
          sessions.release();
          req.resume();
          if (reg.failed()) {
            rc.response().putHeader(HttpHeaders.RETRY_AFTER, String.valueOf(FULL_RETRY_AFTER_S));
            refuse(rc, 503, "presence", "unavailable", "service unavailable, retry later");
          } else {
            rc.response().putHeader(HttpHeaders.RETRY_AFTER, String.valueOf(USER_LIMIT_RETRY_AFTER_S));
            refuse(rc, 429, "user_limit", "user_limit", "too many connections for this user");
          }
          return;
        }
        req.toWebSocket()
            .onSuccess(ws -> open(ws, req.connection(), identity, sessionId))
            .onFailure(err -> {
              sessions.release();
              presence.removeDevice(identity.userId(), sessionId);
              LOG.atDebug().addKeyValue("nodeId", node.nodeId()).addKeyValue("error", err.toString())
                  .log("upgrade failed");
            });
      });
    });
  }

  private void refuse(RoutingContext rc, int status, String reason, String metricReason, String message) {
    metrics.refused(metricReason);
    LOG.atInfo().addKeyValue("nodeId", node.nodeId()).addKeyValue("status", status).addKeyValue("reason", reason)
        .addKeyValue("remote", String.valueOf(rc.request().remoteAddress())).log("handshake refused");
    rc.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain").end(message);
  }

  /** Before the upgrade: the client should retry later, which a load balancer sends to another node. */
  private void refuseDraining(RoutingContext rc) {
    rc.response().putHeader(HttpHeaders.RETRY_AFTER, String.valueOf(Drain.retryAfterSeconds()));
    refuse(rc, 503, "draining", "draining", "node draining, retry later");
  }

  public static String bearer(String header) {
    if (header == null) {
      return null;
    }
    String h = header.trim();
    return h.regionMatches(true, 0, "Bearer ", 0, 7) ? h.substring(7).trim() : null;
  }

  private void open(ServerWebSocket ws, io.vertx.core.http.HttpConnection connection, Identity identity,
                    String sessionId) {
    // Upgraded with a valid token: no longer a pending socket; the session's liveness checks take over.
    guard.authenticated(connection);
    if (drain.isDraining()) {
      // The drain started while this upgrade was completing: no session, just go.
      sessions.release();
      presence.removeDevice(identity.userId(), sessionId);
      ws.close(CloseCodes.SERVICE_RESTART, Session.DRAINING);
      return;
    }
    ws.pause();
    WsTransport transport = new WsTransport(ws, connection);
    Session s = openSession(transport, identity, sessionId);
    transport.bind(s, settings.transportLimit());
    welcome(s, ws::resume);
  }

  /**
   * The SockJS event-bus bridge at {@value #BRIDGE_PATH} (browsers using the Vert.x bridge client),
   * then the static files: {@code COURIER_WEB_DIR} first when set, then the demo page from the jar.
   */
  private void mountBrowserRoutes(Router router) {
    SockJSHandlerOptions sockJs = new SockJSHandlerOptions().setRegisterWriteHandler(false);
    BridgeSocket.Host host = new BridgeSocket.Host() {
      @Override
      public String nodeId() {
        return node.nodeId();
      }

      @Override
      public boolean draining() {
        return drain.isDraining();
      }

      @Override
      public Future<Session> open(Transport transport, Identity identity) {
        // A bridge socket counts against the node's and the user's connection limits like a WebSocket.
        if (!sessions.tryAdmit(maxConnections)) {
          metrics.refused("limit");
          return Future.failedFuture(new BridgeSocket.Refused(CloseCodes.TRY_AGAIN_LATER,
              "node at its connection limit, retry later"));
        }
        String sessionId = UUID.randomUUID().toString();
        return presence.addDeviceWithin(identity.userId(), sessionId, node.nodeId(), maxPerUser).transform(reg -> {
          if (reg.succeeded() && reg.result()) {
            return Future.succeededFuture(openSession(transport, identity, sessionId));
          }
          sessions.release();
          metrics.refused(reg.failed() ? "unavailable" : "user_limit");
          return Future.failedFuture(new BridgeSocket.Refused(CloseCodes.TRY_AGAIN_LATER, reg.failed()
              ? "service unavailable, reconnect later" : "too many connections for this user"));
        });
      }

      @Override
      public void welcome(Session session) {
        GatewayVerticle.this.welcome(session, () -> {});
      }

      @Override
      public void later(long delayMs, Runnable action) {
        vertx.setTimer(Math.max(1, delayMs), id -> action.run());
      }

      @Override
      public long registerTimeoutMs() {
        return settings.idleTimeoutMs();
      }

      @Override
      public long authTimeoutMs() {
        return guardSettings.handshakeTimeoutMs();
      }

      @Override
      public void authenticated(io.vertx.core.http.HttpConnection upgraded) {
        guard.authenticated(upgraded);
      }

      @Override
      public void authenticated(String sessionId, io.vertx.core.http.HttpConnection first) {
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
        pending.timedOut(io.courier.protocol.MetricNames.TIMEOUT_BRIDGE_AUTH);
      }
    };
    router.route(BRIDGE_PATH + "/*").subRouter(SockJSHandler.create(vertx, sockJs)
        .socketHandler(sock -> new BridgeSocket(sock, host, verifier, origins, settings.maxFrameBytes()).start()));
    String webDir = node.config().get(ConfigKeys.WEB_DIR);
    if (webDir != null && !webDir.isBlank()) {
      router.route("/*").handler(StaticHandler.create(FileSystemAccess.ROOT,
          java.nio.file.Path.of(webDir).toAbsolutePath().toString()).setCachingEnabled(false));
    }
    router.route("/*").handler(StaticHandler.create(WEB_ROOT));
  }

  /** A session over a transport, registered locally; presence already counts it as a device. */
  private Session openSession(Transport transport, Identity identity, String sessionId) {
    Session s = new Session(transport, context, sessionId, identity, settings, delivery, verifier, metrics,
        presenceWatch, userSends);
    local.add(s);
    sessions.add(s);
    metrics.opened();
    s.start(() -> {
      local.remove(s);
      sessions.remove(s);
      sessions.release();
      long durationMs = System.currentTimeMillis() - s.openedAt();
      metrics.closed(s.closeCode(), durationMs);
      checkDrained();
      presence.removeDevice(identity.userId(), sessionId);
      LOG.atInfo().addKeyValue("nodeId", node.nodeId()).addKeyValue("sessionId", sessionId)
          .addKeyValue("userId", identity.userId()).addKeyValue("closeCode", s.closeCode())
          .addKeyValue("closeReason", s.closeReason())
          .addKeyValue("durationMs", durationMs)
          .addKeyValue("unacked", s.unackedCount()).log("disconnected");
    });
    // A revocation that reached this node after the token was verified, but before the session was
    // in the registry its sweep walks, is caught here (the list is updated before every sweep).
    s.closeIfRevoked();
    return s;
  }

  /** Reads the inbox head and writes welcome (presence has the device already); then runs {@code after}. */
  private void welcome(Session s, Runnable after) {
    delivery.read(s.userId(), 0, 0)
        .onSuccess(head -> {
          s.welcome(head.epoch(), head.lastSeq(), node.nodeId());
          after.run();
          LOG.atInfo().addKeyValue("nodeId", node.nodeId()).addKeyValue("sessionId", s.sessionId())
              .addKeyValue("userId", s.userId()).addKeyValue("lastSeq", head.lastSeq())
              .log("connected");
        })
        .onFailure(err -> {
          LOG.atWarn().addKeyValue("nodeId", node.nodeId()).addKeyValue("sessionId", s.sessionId())
              .addKeyValue("userId", s.userId()).addKeyValue("error", err.getMessage())
              .log("connection setup failed");
          after.run();
          s.close(CloseCodes.TRY_AGAIN_LATER, "service unavailable, reconnect later");
        });
  }

  /**
   * This instance's part of a drain, on its own event loop: every connection gets a reconnect hint
   * spread over the grace period; at {@code deadline} the ones still open are closed with 1012.
   */
  private Future<Void> drainLocal(long deadline) {
    if (drained != null) {
      return drained.future();
    }
    drained = Promise.promise();
    long now = System.currentTimeMillis();
    LOG.atInfo().addKeyValue("nodeId", node.nodeId()).addKeyValue("connections", local.size())
        .addKeyValue("graceMs", deadline - now).log("draining connections");
    for (Session s : new ArrayList<>(local)) {
      s.drain(drain.reconnectAfterMs(now));
    }
    long endTimer = vertx.setTimer(Math.max(1, deadline - now), id -> {
      if (!local.isEmpty()) {
        LOG.atInfo().addKeyValue("nodeId", node.nodeId()).addKeyValue("connections", local.size())
            .log("drain grace period over; closing the rest with 1012");
      }
      for (Session s : new ArrayList<>(local)) {
        s.close(CloseCodes.SERVICE_RESTART, Session.DRAINING);
      }
      // A client that never answers the close handshake must not hold the node.
      vertx.setTimer(DRAIN_CLOSE_WAIT_MS, id2 -> drained.tryComplete());
    });
    drained.future().onComplete(ar -> vertx.cancelTimer(endTimer));
    checkDrained();
    return drained.future();
  }

  private void checkDrained() {
    if (drained != null && local.isEmpty()) {
      drained.tryComplete();
    }
  }

  private void tick() {
    long now = System.currentTimeMillis();
    for (Session s : new ArrayList<>(local)) {
      s.tick(now);
    }
    if (userSends != null) {
      userSends.expire(now);
    }
  }
}
