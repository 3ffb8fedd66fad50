package io.courier.connection;

import io.courier.cluster.NodeContext;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's endpoints on the gateway's HTTP server: liveness, readiness (what a load balancer
 * checks) and the authenticated drain call.
 */
final class OpsRoutes {
  static final String LIVE = "/health/live";
  static final String READY = "/health/ready";
  static final String ADMIN_DRAIN = "/admin/drain";
  /** The role claim ({@code "roles": ["admin"]}) a token needs for the admin endpoints. */
  static final String ADMIN_ROLE = io.courier.protocol.Roles.ADMIN;
  /** The inbox the store check reads the head of (limit 0: no messages are read). */
  static final String HEALTH_USER = "courier.health-check";

  private static final Logger LOG = LoggerFactory.getLogger(OpsRoutes.class);
  private static final String JSON = "application/json";

  private final NodeContext node;
  private final Drain drain;
  private final Sessions sessions;
  private final TokenVerifier verifier;
  private final DeliveryClient storeProbe;

  /** {@code storeProbe} is a delivery client whose timeout bounds the store check. */
  OpsRoutes(NodeContext node, Drain drain, Sessions sessions, TokenVerifier verifier, DeliveryClient storeProbe) {
    this.node = node;
    this.drain = drain;
    this.sessions = sessions;
    this.verifier = verifier;
    this.storeProbe = storeProbe;
  }

  void mount(Router router) {
    router.get(LIVE).handler(this::live);
    router.get(READY).handler(this::ready);
    router.post(ADMIN_DRAIN).handler(this::adminDrain);
  }

  private void live(RoutingContext rc) {
    json(rc, 200, new JsonObject().put("status", "UP").put("nodeId", node.nodeId()));
  }

  /** 200 only when not draining, the cluster member runs and the store answers in time; else 503. */
  private void ready(RoutingContext rc) {
    JsonObject checks = new JsonObject();
    checks.put("accepting", drain.isDraining() ? down("node is draining") : up());
    boolean clusterUp = node.hazelcast().getLifecycleService().isRunning();
    checks.put("cluster", clusterUp ? up() : down("cluster member not running"));
    Future<?> store = storeProbe.read(HEALTH_USER, 0, 0);
    store.onComplete(ar -> {
      checks.put("store", ar.succeeded() ? up() : down(ar.cause().getMessage()));
      boolean ok = checks.stream().allMatch(e -> "UP".equals(((JsonObject) e.getValue()).getString("status")));
      JsonObject body = new JsonObject().put("status", ok ? "UP" : "DOWN").put("nodeId", node.nodeId())
          .put("connections", sessions.size()).put("checks", checks);
      json(rc, ok ? 200 : 503, body);
    });
  }

  private void adminDrain(RoutingContext rc) {
    String token = GatewayVerticle.bearer(rc.request().getHeader(HttpHeaders.AUTHORIZATION));
    verifier.verify(token).onComplete(ar -> {
      if (ar.failed()) {
        String reason = ar.cause() instanceof TokenVerifier.Rejected r ? r.reason : "invalid";
        rc.response().putHeader("WWW-Authenticate", "Bearer");
        plain(rc, 401, "token " + reason);
        return;
      }
      Identity who = ar.result();
      if (!who.roles().contains(ADMIN_ROLE)) {
        LOG.atWarn().addKeyValue("nodeId", node.nodeId()).addKeyValue("userId", who.userId())
            .log("admin drain refused: no admin role");
        plain(rc, 403, "admin role required");
        return;
      }
      boolean already = drain.isDraining();
      int connections = sessions.size();
      drain.start();
      if (!already) {
        LOG.atWarn().addKeyValue("nodeId", node.nodeId()).addKeyValue("userId", who.userId())
            .addKeyValue("connections", connections).addKeyValue("graceMs", drain.graceMs())
            .log("drain requested over the admin endpoint");
      }
      json(rc, 202, new JsonObject().put("status", "draining").put("nodeId", node.nodeId())
          .put("alreadyDraining", already).put("graceMs", drain.graceMs()).put("deadline", drain.deadline())
          .put("connections", connections));
    });
  }

  private static JsonObject up() {
    return new JsonObject().put("status", "UP");
  }

  private static JsonObject down(String reason) {
    return new JsonObject().put("status", "DOWN").put("reason", String.valueOf(reason));
  }

  private static void json(RoutingContext rc, int status, JsonObject body) {
    rc.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, JSON)
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store").end(body.encode());
  }

  private static void plain(RoutingContext rc, int status, String message) {
    rc.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain").end(message);
  }
}
