package io.courier.node;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import io.courier.cluster.ClusterBusTls;
import io.courier.cluster.ClusterSetup;
import io.courier.cluster.Maps;
import io.courier.cluster.NodeContext;
import io.courier.cluster.NodeMetrics;
import io.courier.cluster.RedisEndpoint;
import io.courier.connection.Gateway;
import io.courier.connection.auth.JwtKeys;
import io.courier.connection.auth.Revocations;
import io.courier.connection.bridge.TcpBridge;
import io.courier.connection.handshake.ConnectionGuard;
import io.courier.connection.handshake.PendingHandshakes;
import io.courier.connection.handshake.Tls;
import io.courier.connection.ops.OpsRoutes;
import io.courier.delivery.DeliveryVerticle;
import io.courier.presence.PresenceVerticle;
import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.tokens.Secrets;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Courier node: a clustered Vert.x member running any subset of the verticles. The same
 * code runs the all-in-one embedded node and each process of a split deployment.
 */
public final class CourierNode {
  private static final Logger LOG = LoggerFactory.getLogger(CourierNode.class);
  public static final String CONNECTION = "connection";
  public static final String DELIVERY = "delivery";
  public static final String PRESENCE = "presence";
  private static final Set<String> KNOWN = Set.of(CONNECTION, DELIVERY, PRESENCE);

  private final Vertx vertx;
  private final NodeContext context;
  private final Set<String> verticles;
  private final int port;
  private final Gateway.Deployed gateway;
  private final Revocations revocations;
  private final Warmup.Result warmup;
  private final Promise<Void> drained = Promise.promise();
  private Future<Void> closing;
  private boolean purging;

  private CourierNode(Vertx vertx, NodeContext context, Set<String> verticles, int port, Gateway.Deployed gateway,
                      Revocations revocations, Warmup.Result warmup) {
    this.revocations = revocations;
    this.warmup = warmup;
    this.vertx = vertx;
    this.context = context;
    this.verticles = verticles;
    this.port = port;
    this.gateway = gateway;
    if (gateway != null) {
      // Whoever starts the drain (SIGTERM, the admin call), the node finishes it the same way.
      gateway.drain().done().onComplete(ar -> finishDrain());
    }
  }

  public static Set<String> parseVerticles(List<String> names) {
    Set<String> out = new LinkedHashSet<>();
    for (String n : names) {
      String v = n.toLowerCase(java.util.Locale.ROOT);
      if (!KNOWN.contains(v)) {
        throw new IllegalArgumentException("unknown verticle '" + n + "' (known: connection, delivery, presence)");
      }
      out.add(v);
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no verticle to run");
    }
    return out;
  }

  public static Future<CourierNode> start(CourierConfig config) {
    CourierConfig cfg;
    Set<String> verticles;
    JwtKeys keys;
    try {
      verticles = parseVerticles(config.getList(ConfigKeys.VERTICLES));
      String nodeId = config.isSet(ConfigKeys.NODE_ID) ? config.get(ConfigKeys.NODE_ID)
          : "node-" + UUID.randomUUID().toString().substring(0, 8);
      cfg = config.with(ConfigKeys.NODE_ID, nodeId);
      if (verticles.contains(CONNECTION) && cfg.getInt(ConfigKeys.PORT) == 0) {
        // Gateway instances share one port; resolve "any free port" once so they agree.
        cfg = cfg.with(ConfigKeys.PORT, io.courier.cluster.FreePorts.pick(cfg.get(ConfigKeys.HOST)));
      }
      if (verticles.contains(CONNECTION)) {
        // Drain grace, connection limits, health timeout, presence lease: the gateway's own check, run early.
        Gateway.checkSettings(cfg);
      }
      checkMetricsSettings(cfg);
      ConnectionGuard.Settings.from(cfg);
      checkPresenceSettings(cfg, verticles);
      CourierConfig forKeys = cfg;
      keys = verticles.contains(CONNECTION) || TcpBridge.enabled(cfg) ? JwtKeys.load(cfg, () -> resolveSecret(forKeys)) : null;
      if (verticles.contains(CONNECTION)) {
        Tls.check(cfg);
      }
      Warmup.checkSettings(cfg);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    CourierConfig c = cfg;
    // The warm-up comes first: until it is done this node is no cluster member, has no port open and
    // so is not ready; a failed warm-up only delays the start.
    return Warmup.run(c).compose(warmup -> join(c, verticles, keys, warmup));
  }

  /** Starts the checked node: joins the cluster, deploys the verticles, opens the ports. */
  private static Future<CourierNode> join(CourierConfig c, Set<String> verticles, JwtKeys keys, Warmup.Result warmup) {
    String nodeId = c.get(ConfigKeys.NODE_ID);
    // Not bound to a context: a start that fails closes Vert.x, whose event loops would then drop
    // the failure on its way to a listener bound to one of them (the caller would wait forever).
    Promise<CourierNode> outcome = Promise.promise();
    ClusterSetup.startClusteredVertx(c, nodeId, new VertxOptions()).onFailure(outcome::fail).onSuccess(started -> {
      Vertx vertx = started.vertx();
      NodeContext ctx = new NodeContext(vertx, nodeId, c, started.clusterManager().getHazelcastInstance(), started.metrics());
      NodeMetrics.bindNode(vertx, ctx.hazelcast(), ctx.metrics());
      // One count per node: the gateway's port and the metrics port share the limit.
      ConnectionGuard.Settings guard = ConnectionGuard.Settings.from(c);
      PendingHandshakes pending = new PendingHandshakes(guard.maxPending(), ctx.metrics());
      logMembership(ctx);
      Future<Revocations> revocations = keys == null ? Future.succeededFuture() : Revocations.start(vertx, ctx);
      revocations.compose(revs -> deploy(vertx, ctx, verticles, keys, revs, pending)
          .compose(gw -> TcpBridge.deployIfEnabled(vertx, ctx, keys, revs).map(gw))
          .compose(gw -> startMetricsServer(vertx, ctx, pending, guard).map(gw))
          .map(gw -> new CourierNode(vertx, ctx, verticles, gw != null ? c.getInt(ConfigKeys.PORT) : 0, gw, revs, warmup)))
          .onSuccess(outcome::complete)
          .onFailure(err -> vertx.close().onComplete(ignored -> outcome.fail(err)));
    });
    return outcome.future().onSuccess(n -> withRedis(LOG.atInfo(), c).addKeyValue("nodeId", nodeId)
        .addKeyValue("verticles", String.join(",", verticles))
        .addKeyValue("port", verticles.contains(CONNECTION) ? c.getInt(ConfigKeys.PORT) : -1)
        .addKeyValue("store", c.get(ConfigKeys.STORE))
        .addKeyValue("cluster", c.get(ConfigKeys.CLUSTER_NAME))
        .addKeyValue("transport", io.courier.cluster.Transports.choose(c.get(ConfigKeys.TRANSPORT)).name())
        .addKeyValue("tokens", keys == null ? "none" : keys.describe())
        .addKeyValue("tls", verticles.contains(CONNECTION) && Tls.check(c))
        .addKeyValue("busTls", ClusterBusTls.check(c))
        .addKeyValue("members", n.context().hazelcast().getCluster().getMembers().size())
        .log("node started"));
  }

  /** With the Redis store, where Redis is (the URL with its password as ***). */
  private static org.slf4j.spi.LoggingEventBuilder withRedis(org.slf4j.spi.LoggingEventBuilder log, CourierConfig c) {
    return "redis".equals(c.get(ConfigKeys.STORE)) ? log.addKeyValue("redis", RedisEndpoint.redacted(c.get(ConfigKeys.REDIS_URL)))
        : log;
  }

  /**
   * Logs every change of cluster membership with the member count, on every node: Hazelcast's own
   * INFO lines are off, and an operator (or a test) must see members join and leave.
   */
  private static void logMembership(NodeContext ctx) {
    ctx.hazelcast().getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        log(event, "cluster member joined");
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        log(event, "cluster member left");
      }

      private void log(MembershipEvent event, String what) {
        LOG.atInfo().addKeyValue("nodeId", ctx.nodeId())
            .addKeyValue("memberNodeId", String.valueOf(event.getMember().getAttribute(Maps.NODE_ID_ATTRIBUTE)))
            .addKeyValue("memberAddress", String.valueOf(event.getMember().getAddress()))
            .addKeyValue("members", event.getMembers().size()).log(what);
      }
    });
  }

  private static Future<Gateway.Deployed> deploy(Vertx vertx, NodeContext ctx, Set<String> verticles, JwtKeys keys,
                                                 Revocations revocations, PendingHandshakes pending) {
    Future<?> chain = Future.succeededFuture();
    if (verticles.contains(PRESENCE)) {
      chain = chain.compose(v -> vertx.deployVerticle(new PresenceVerticle(ctx)));
    }
    if (verticles.contains(DELIVERY)) {
      int n = Math.max(1, ctx.config().getInt(ConfigKeys.DELIVERY_INSTANCES));
      chain = chain.compose(v -> vertx.deployVerticle(() -> new DeliveryVerticle(ctx), new DeploymentOptions().setInstances(n)));
    }
    if (verticles.contains(CONNECTION)) {
      return chain.compose(v -> Gateway.deploy(vertx, ctx, keys, revocations, pending));
    }
    return chain.map(v -> null);
  }

  /**
   * With COURIER_METRICS_PORT set, a small HTTP server of its own with GET /metrics and
   * GET /health/live: how a node without the connection verticle (delivery, presence) is scraped.
   * Its sockets are pending ones like the gateway's (no request in time, idle keep-alive: closed).
   */
  private static Future<Void> startMetricsServer(Vertx vertx, NodeContext ctx, PendingHandshakes pending,
                                                 ConnectionGuard.Settings guardSettings) {
    int port = ctx.config().getInt(ConfigKeys.METRICS_PORT);
    if (port == 0) {
      return Future.succeededFuture();
    }
    // The guard and the server on one context: the guard's tick then runs where the connections are served.
    Context context = vertx.getOrCreateContext();
    Promise<Void> listening = Promise.promise();
    context.runOnContext(v -> listenMetrics(vertx, ctx, port, new ConnectionGuard(vertx, pending, guardSettings,
        ctx.nodeId()), guardSettings).onComplete(listening));
    return listening.future();
  }

  private static Future<Void> listenMetrics(Vertx vertx, NodeContext ctx, int port, ConnectionGuard guard,
                                            ConnectionGuard.Settings guardSettings) {
    HttpServer server = vertx.createHttpServer(ConnectionGuard.configure(new HttpServerOptions(), guardSettings));
    return guard.install(server, OpsRoutes.metricsPort(vertx, ctx)).listen(port, ctx.config().get(ConfigKeys.HOST))
        .onSuccess(s -> LOG.atInfo().addKeyValue("nodeId", ctx.nodeId()).addKeyValue("port", s.actualPort())
            .log("metrics server listening")).mapEmpty();
  }

  private static void checkMetricsSettings(CourierConfig cfg) {
    int port = cfg.getInt(ConfigKeys.METRICS_PORT);
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(ConfigKeys.METRICS_PORT.env() + " must be 0-65535, got " + port);
    }
    if (port != 0 && port == cfg.getInt(ConfigKeys.PORT)) {
      throw new IllegalArgumentException(ConfigKeys.METRICS_PORT.env() + " must differ from "
          + ConfigKeys.PORT.env() + " (" + port + "); the gateway serves /metrics there already");
    }
  }

  /** Refused before the cluster is joined, with the setting's name in the message. */
  static void checkPresenceSettings(CourierConfig cfg, Set<String> verticles) {
    if (verticles.contains(CONNECTION) || verticles.contains(PRESENCE)) {
      atLeast(cfg, ConfigKeys.PRESENCE_MAX_USERS, 1);
    }
    if (verticles.contains(CONNECTION)) {
      atLeast(cfg, ConfigKeys.WATCH_MAX_USERS, 1);
    }
    if (verticles.contains(PRESENCE)) {
      atLeast(cfg, ConfigKeys.PRESENCE_SWEEP_MS, 1);
    }
  }

  private static void atLeast(CourierConfig cfg, io.courier.protocol.Setting s, long min) {
    long v = cfg.getLong(s);
    if (v < min) {
      throw new IllegalArgumentException(s.env() + " must be >= " + min + ", got " + v);
    }
  }

  private static String resolveSecret(CourierConfig cfg) {
    Secrets.Resolved s = Secrets.resolve(cfg);
    if (s.generated()) {
      String warning = "\n*** WARNING: COURIER_JWT_SECRET is not set. Generated a development secret in " + s.file()
          + "\n*** `bin/courier token` on this machine signs with it. Set COURIER_JWT_SECRET in production. ***\n";
      System.err.println(warning);
      LOG.atWarn().addKeyValue("secretFile", String.valueOf(s.file())).log("generated a development JWT secret");
    }
    return s.secret();
  }

  /** What the warm-up before this node's start did (COURIER_WARMUP_MS). */
  Warmup.Result warmup() {
    return warmup;
  }

  /** The WebSocket port, or 0 when this node runs no gateway. */
  public int port() {
    return port;
  }

  public String nodeId() {
    return context.nodeId();
  }

  public Vertx vertx() {
    return vertx;
  }

  public NodeContext context() {
    return context;
  }

  /** Open connections on this node (0 when it runs no gateway). */
  public int connections() {
    return gateway == null ? 0 : gateway.sessions().size();
  }

  /**
   * Drains the node (idempotent): readiness turns 503, new handshakes get 503, every client gets a
   * {@code reconnect} hint spread over {@code COURIER_DRAIN_GRACE_MS}, the connections still open at
   * its end are closed with 1012, then this node's presence entries are removed. Completes then.
   * A node without a gateway only removes its presence entries.
   */
  public Future<Void> drain() {
    if (gateway == null) {
      finishDrain();
    } else {
      gateway.drain().start();
    }
    return drained.future();
  }

  /** Completes when a drain of this node, whoever started it, has finished. */
  public Future<Void> drained() {
    return drained.future();
  }

  /** True from the moment a drain starts. */
  public boolean isDraining() {
    return gateway != null ? gateway.drain().isDraining() : drained.future().isComplete();
  }

  private synchronized void finishDrain() {
    if (drained.future().isComplete() || purging) {
      return;
    }
    purging = true;
    context.presence().purgeLocal()
        .onComplete(ar -> {
          if (ar.failed()) {
            LOG.atWarn().addKeyValue("nodeId", nodeId()).addKeyValue("error", String.valueOf(ar.cause()))
                .log("presence purge after drain failed");
          }
          LOG.atInfo().addKeyValue("nodeId", nodeId()).log("node drained");
          drained.tryComplete();
        });
  }

  /**
   * Stops the node gracefully: drains first (which takes no time without connections), then
   * {@link #closeNow()}.
   */
  public Future<Void> close() {
    return drain().transform(ignored -> closeNow());
  }

  /**
   * Stops the node at once (idempotent): gateways close their remaining connections (1001), this
   * node's presence entries are removed, then Vert.x leaves the cluster.
   */
  public synchronized Future<Void> closeNow() {
    if (closing == null) {
      Future<?> undeploy = gateway == null ? Future.succeededFuture()
          : Future.all(gateway.deploymentIds().stream().map(vertx::undeploy).toList());
      closing = undeploy
          .transform(ignored -> revocations == null ? Future.succeededFuture() : revocations.close())
          .transform(ignored -> context.presence().purgeLocal())
          .transform(ignored -> vertx.close());
    }
    return closing;
  }
}
