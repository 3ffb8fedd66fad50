package io.courier.connection;

import io.courier.cluster.NodeContext;
import io.courier.connection.auth.JwtKeys;
import io.courier.connection.auth.RevocationVerticle;
import io.courier.connection.auth.Revocations;
import io.courier.connection.handshake.ConnectionGuard;
import io.courier.connection.handshake.PendingHandshakes;
import io.courier.connection.inbox.NodeInboxVerticle;
import io.courier.connection.session.Sessions;
import io.courier.connection.watch.PresenceWatch;
import io.courier.connection.watch.PresenceWatchVerticle;
import io.courier.protocol.ConfigKeys;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deploys the connection side of a node: the node inbox and the revocation consumer (one clustered
 * consumer each for the node) and the gateway instances that share the WebSocket port, all sharing one {@link Sessions} registry and
 * one {@link Drain} state.
 */
public final class Gateway {
  private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

  private Gateway() {}

  /**
   * Checks every connection-side setting, throwing with the setting's name: lets the node refuse a bad
   * value before it joins the cluster, with the same check the gateway runs when it deploys.
   */
  public static void checkSettings(io.courier.protocol.CourierConfig config) {
    GatewaySettings.from(config);
  }

  public record Deployed(Sessions sessions, Drain drain, GatewayMetrics metrics, List<String> deploymentIds) {}

  /**
   * {@code keys} verify tokens; {@code revocations} is the node's list (see {@link Revocations#start});
   * {@code pending} is the node's count of sockets not yet authenticated (shared with its other servers).
   */
  public static Future<Deployed> deploy(Vertx vertx, NodeContext node, JwtKeys keys, Revocations revocations,
                                        PendingHandshakes pending) {
    Sessions sessions = new Sessions();
    GatewaySettings settings;
    try {
      // Checked once here so a bad limit fails the start with the setting's name.
      settings = GatewaySettings.from(node.config());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    int maxConnections = settings.maxConnections();
    Drain drain = new Drain(settings.drainGraceMs());
    if (settings.idleShorterThanHeartbeat()) {
      LOG.atWarn().addKeyValue("nodeId", node.nodeId()).addKeyValue("idleTimeoutMs", settings.idleTimeoutMs())
          .addKeyValue("heartbeatMs", settings.heartbeatMs())
          .log(ConfigKeys.IDLE_TIMEOUT_MS.env() + " is below " + ConfigKeys.HEARTBEAT_MS.env()
              + ": clients that only answer pings will be closed as idle");
    }
    if (node.config().getList(ConfigKeys.ALLOWED_ORIGINS).isEmpty()) {
      // Once per node, not per gateway instance: the setting is the node's.
      LOG.atWarn().addKeyValue("nodeId", node.nodeId())
          .log(ConfigKeys.ALLOWED_ORIGINS.env() + " is empty: every Origin is accepted at /ws and /eventbus, so any web "
              + "page can open connections with a token it holds; set it to your web app's origins");
    }
    ConnectionGuard.Settings guard;
    try {
      guard = ConnectionGuard.Settings.from(node.config());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    // SockJS sessions (polling transports) authenticated on this node; SockJS keeps its sessions
    // node-wide too, so a poll may reach any gateway instance.
    java.util.Set<String> bridgeSessions = java.util.concurrent.ConcurrentHashMap.newKeySet();
    GatewayMetrics metrics = new GatewayMetrics(node.metrics(), sessions, maxConnections);
    int instances = node.config().getInt(ConfigKeys.GATEWAY_INSTANCES);
    if (instances <= 0) {
      instances = Runtime.getRuntime().availableProcessors();
    }
    int n = instances;
    PresenceWatch watch;
    try {
      watch = new PresenceWatch(vertx, node);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    // The presence agent starts before the gateways: its lease exists before the node's first device.
    return vertx.deployVerticle(new NodeInboxVerticle(node.nodeId(), sessions, metrics, node.hazelcast(), node.inProcess()))
        .compose(inboxId -> vertx.deployVerticle(new PresenceWatchVerticle(node, watch, settings))
            .compose(watchId -> vertx.deployVerticle(new RevocationVerticle(revocations, sessions))
                .compose(revId -> vertx.deployVerticle(
                        () -> new GatewayVerticle(node, sessions, drain, metrics, maxConnections, keys, revocations,
                            watch, pending, guard, bridgeSessions),
                        new DeploymentOptions().setInstances(n))
                    .map(gwId -> new Deployed(sessions, drain, metrics, List.of(inboxId, watchId, revId, gwId))))));
  }
}
