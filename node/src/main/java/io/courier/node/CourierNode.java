package io.courier.node;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import io.courier.cluster.ClusterSetup;
import io.courier.cluster.Maps;
import io.courier.cluster.NodeContext;
import io.courier.cluster.PresenceRegistry;
import io.courier.connection.Gateway;
import io.courier.delivery.DeliveryVerticle;
import io.courier.presence.PresenceVerticle;
import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
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

  private CourierNode(Vertx vertx, NodeContext context, Set<String> verticles, int port, Gateway.Deployed gateway) {
    this.vertx = vertx;
    this.context = context;
    this.verticles = verticles;
    this.port = port;
    this.gateway = gateway;
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
    String secret;
    try {
      verticles = parseVerticles(config.getList(ConfigKeys.VERTICLES));
      String nodeId = config.isSet(ConfigKeys.NODE_ID) ? config.get(ConfigKeys.NODE_ID)
          : "node-" + UUID.randomUUID().toString().substring(0, 8);
      cfg = config.with(ConfigKeys.NODE_ID, nodeId);
      if (verticles.contains(CONNECTION) && cfg.getInt(ConfigKeys.PORT) == 0) {
        // Gateway instances share one port; resolve "any free port" once so they agree.
        cfg = cfg.with(ConfigKeys.PORT, freePort(cfg.get(ConfigKeys.HOST)));
      }
      secret = verticles.contains(CONNECTION) ? resolveSecret(cfg) : null;
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    CourierConfig c = cfg;
    String nodeId = c.get(ConfigKeys.NODE_ID);
    return ClusterSetup.startClusteredVertx(c, nodeId, new VertxOptions()).compose(started -> {
      Vertx vertx = started.vertx();
      NodeContext ctx = new NodeContext(nodeId, c, started.clusterManager().getHazelcastInstance());
      logMembership(ctx);
      return deploy(vertx, ctx, verticles, secret)
          .map(gw -> new CourierNode(vertx, ctx, verticles, gw != null ? c.getInt(ConfigKeys.PORT) : 0, gw))
          .recover(err -> vertx.close().transform(ignored -> Future.failedFuture(err)));
    }).onSuccess(n -> LOG.atInfo().addKeyValue("nodeId", nodeId).addKeyValue("verticles", String.join(",", verticles))
        .addKeyValue("port", verticles.contains(CONNECTION) ? c.getInt(ConfigKeys.PORT) : -1)
        .addKeyValue("store", c.get(ConfigKeys.STORE)).addKeyValue("cluster", c.get(ConfigKeys.CLUSTER_NAME))
        .addKeyValue("members", n.context().hazelcast().getCluster().getMembers().size())
        .log("node started"));
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

  private static Future<Gateway.Deployed> deploy(Vertx vertx, NodeContext ctx, Set<String> verticles, String secret) {
    Future<?> chain = Future.succeededFuture();
    if (verticles.contains(PRESENCE)) {
      chain = chain.compose(v -> vertx.deployVerticle(new PresenceVerticle(ctx)));
    }
    if (verticles.contains(DELIVERY)) {
      int n = Math.max(1, ctx.config().getInt(ConfigKeys.DELIVERY_INSTANCES));
      chain = chain.compose(v -> vertx.deployVerticle(() -> new DeliveryVerticle(ctx), new DeploymentOptions().setInstances(n)));
    }
    if (verticles.contains(CONNECTION)) {
      return chain.compose(v -> Gateway.deploy(vertx, ctx, secret));
    }
    return chain.map(v -> null);
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

  private static int freePort(String host) {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free port on " + host, e);
    }
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
   * Stops the node: gateways close their connections (1001), this node's presence entries are
   * removed, then Vert.x leaves the cluster.
   */
  public Future<Void> close() {
    Future<?> undeploy = gateway == null ? Future.succeededFuture()
        : Future.all(gateway.deploymentIds().stream().map(vertx::undeploy).toList());
    return undeploy
        .transform(ignored -> new PresenceRegistry(vertx, context.hazelcast()).purgeLocal())
        .transform(ignored -> vertx.close());
  }
}
