package io.courier.connection;

import io.courier.cluster.LocalServices;
import io.courier.cluster.NodeContext;
import io.courier.cluster.Presence;
import io.courier.connection.auth.JwtKeys;
import io.courier.connection.auth.Revocations;
import io.courier.connection.auth.TokenVerifier;
import io.courier.connection.bridge.BrowserBridge;
import io.courier.connection.handshake.Admission;
import io.courier.connection.handshake.ConnectionGuard;
import io.courier.connection.handshake.OriginPolicy;
import io.courier.connection.handshake.PendingHandshakes;
import io.courier.connection.handshake.Tls;
import io.courier.connection.handshake.WsHandshake;
import io.courier.connection.ops.OpsRoutes;
import io.courier.connection.ops.RoomAdminRoutes;
import io.courier.connection.session.DeliveryClient;
import io.courier.connection.session.Session;
import io.courier.connection.session.SessionServices;
import io.courier.connection.session.Sessions;
import io.courier.connection.session.UserSendBuckets;
import io.courier.connection.session.UserSendLimiter;
import io.courier.connection.watch.PresenceWatch;
import io.courier.protocol.CloseCodes;
import io.courier.protocol.ConfigKeys;
import io.courier.protocol.HttpPaths;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.FileSystemAccess;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One gateway instance on its event loop: the HTTP server with {@code /ws} ({@link WsHandshake}),
 * the browser bridge ({@link BrowserBridge}), the ops routes ({@link OpsRoutes}) and the static
 * files, every connection admitted by one {@link Admission}. Several instances share the port; each
 * checks its own sessions on a timer (pings, idleness, retransmits, token expiry) instead of keeping
 * timers per connection, and drains its own sessions when the node drains.
 */
public final class GatewayVerticle extends VerticleBase {
  /** The demo chat page and the browser client, served from the jar. */
  static final String WEB_ROOT = "webroot";
  private static final Logger LOG = LoggerFactory.getLogger(GatewayVerticle.class);
  /** How long a drain waits for the close handshakes of its 1012 closes before it counts as done. */
  static final long DRAIN_CLOSE_WAIT_MS = 2000;

  private final NodeContext node;
  private final Sessions sessions;
  private final JwtKeys keys;
  private final Revocations revocations;
  private final Drain drain;
  private final GatewayMetrics metrics;
  private final int maxConnections;
  private final PresenceWatch presenceWatch;
  private final PendingHandshakes pending;
  private final Set<String> bridgeSessions;
  private final ConnectionGuard.Settings guardSettings;
  /** This instance's sessions: its tick and its part of a drain walk them. */
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
  private UserSendLimiter userSends;
  private HttpServer server;
  private ConnectionGuard guard;

  public GatewayVerticle(NodeContext node, Sessions sessions, Drain drain, GatewayMetrics metrics, int maxConnections,
                        JwtKeys keys, Revocations revocations, PresenceWatch presenceWatch, PendingHandshakes pending,
                        ConnectionGuard.Settings guardSettings, Set<String> bridgeSessions) {
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
    GatewaySettings settings = GatewaySettings.from(node.config());
    TokenVerifier verifier = new TokenVerifier(vertx, keys, node.config(), revocations);
    OriginPolicy origins = new OriginPolicy(node.config().getList(ConfigKeys.ALLOWED_ORIGINS));
    DeliveryClient delivery = new DeliveryClient(vertx.eventBus(), settings.busTimeoutMs(),
        () -> LocalServices.present(vertx, LocalServices.DELIVERY), node.inProcess());
    // The node's one presence: a connect or disconnect that changes a user's online state tells watchers.
    Presence presence = node.presence();
    if (settings.userSends().enabled()) {
      // One limiter per instance: its leases are spent on this event loop without locks.
      userSends = new UserSendLimiter(UserSendLimiter.cluster(new UserSendBuckets(node.hazelcast()), context,
          settings.userSends().ratePerS(), settings.userSends().burst()), settings.userSends().lease(),
          metrics::userLease);
    }
    SessionServices services = new SessionServices(context, settings, delivery, verifier, metrics, presenceWatch,
        userSends);
    Admission admission = new Admission(node.nodeId(), drain::isDraining, origins, sessions, maxConnections,
        settings.maxPerUser(), presence, services, new Admission.Local() {
          @Override
          public void opened(Session s) {
            local.add(s);
          }

          @Override
          public void closed(Session s) {
            local.remove(s);
            checkDrained();
          }
        });
    // Every socket is timed and counted until it is an authenticated connection (ConnectionGuard).
    guard = new ConnectionGuard(vertx, pending, guardSettings, node.nodeId());

    Router router = Router.router(vertx);
    router.get(HttpPaths.WS).handler(new WsHandshake(admission, guard, metrics, settings.transportLimit()));
    OpsRoutes ops = new OpsRoutes(vertx, node, drain, sessions, verifier, settings.healthTimeoutMs(), presence, metrics,
        maxConnections, revocations);
    ops.mount(router);
    new RoomAdminRoutes(delivery).mount(router, ops::asAdmin);
    new BrowserBridge(vertx, admission, guard, pending, bridgeSessions, settings.idleTimeoutMs(),
        guardSettings.handshakeTimeoutMs(), settings.maxFrameBytes()).mount(router);
    mountStaticFiles(router);

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
        .setPerFrameWebSocketCompressionSupported(false)
        // Every request and response here is handled on this verticle's event loop, so the HTTP
        // connection writes straight to its channel instead of through a cross-thread message queue:
        // Vert.x otherwise gives each connection an MPSC queue with a 1,024-slot chunk (4.7 KiB in
        // all), kept for the WebSocket's whole life since the upgraded connection stays reachable.
        // The rule that comes with it: every response on this server is written on its event loop.
        .setStrictThreadMode(true);
    Tls.configure(options, node.config());
    ConnectionGuard.configure(options, guardSettings);
    if (settings.tcpSendBufferBytes() > 0) {
      // A small kernel buffer lets a client that stopped reading fill its outbound queue sooner.
      options.setSendBufferSize(settings.tcpSendBufferBytes());
    }
    vertx.setPeriodic(settings.tickMs(), id -> tick());
    io.courier.cluster.NodeMetrics.startLagProbe(vertx, node.metrics());
    server = guard.install(vertx.createHttpServer(options), router);
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

  /** The static files: {@code COURIER_WEB_DIR} first when set, then the demo page from the jar. */
  private void mountStaticFiles(Router router) {
    String webDir = node.config().get(ConfigKeys.WEB_DIR);
    if (webDir != null && !webDir.isBlank()) {
      router.route("/*").handler(StaticHandler.create(FileSystemAccess.ROOT,
          java.nio.file.Path.of(webDir).toAbsolutePath().toString()).setCachingEnabled(false));
    }
    router.route("/*").handler(StaticHandler.create(WEB_ROOT));
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
