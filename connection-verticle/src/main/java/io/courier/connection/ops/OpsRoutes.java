package io.courier.connection.ops;

import io.courier.cluster.NodeContext;
import io.courier.cluster.Presence;
import io.courier.cluster.PresenceDetail;
import io.courier.connection.Drain;
import io.courier.connection.GatewayMetrics;
import io.courier.connection.auth.Identity;
import io.courier.connection.auth.Revocation;
import io.courier.connection.auth.Revocations;
import io.courier.connection.auth.TokenVerifier;
import io.courier.connection.handshake.WsHandshake;
import io.courier.connection.session.DeliveryClient;
import io.courier.connection.session.Sessions;
import io.courier.protocol.HttpPaths;
import io.courier.protocol.bus.StoreChecks;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.CheckResult;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's endpoints on the gateway's HTTP server: liveness, readiness (what a load balancer
 * checks), and the admin calls: drain, connections of the node and of a user, and token revocation.
 */
public final class OpsRoutes {
  static final String LIVE = HttpPaths.LIVE;
  static final String READY = HttpPaths.READY;
  static final String ADMIN_DRAIN = "/admin/drain";
  static final String ADMIN_CONNECTIONS = "/admin/connections";
  static final String ADMIN_USER = "/admin/users/:userId";
  static final String ADMIN_PRESENCE = "/admin/presence";
  static final String ADMIN_REVOKE = "/admin/revoke";
  /** Largest body of POST /admin/revoke ({"user": ...} or {"jti": ...} of at most 256 characters). */
  static final int REVOKE_BODY_LIMIT = 4096;
  static final String METRICS = HttpPaths.METRICS;
  /** Users listed by name in GET /admin/connections (those with the most connections here). */
  static final int TOP_USERS = 20;
  /** The role claim ({@code "roles": ["admin"]}) a token needs for the admin endpoints. */
  static final String ADMIN_ROLE = io.courier.protocol.Roles.ADMIN;
  static final String CHECK_ACCEPTING = "accepting";
  static final String CHECK_CLUSTER = "cluster";
  static final String CHECK_REVOCATIONS = "revocations";
  static final String CHECK_STORE = "store";
  private static final List<String> CHECKS = List.of(CHECK_ACCEPTING, CHECK_CLUSTER, CHECK_REVOCATIONS, CHECK_STORE);
  /** The inbox the store check reads the head of (limit 0: no messages are read). */
  static final String HEALTH_USER = "courier.health-check";

  private static final Logger LOG = LoggerFactory.getLogger(OpsRoutes.class);
  private static final String JSON = "application/json";

  private final NodeContext node;
  private final Drain drain;
  private final Sessions sessions;
  private final TokenVerifier verifier;
  private final DeliveryClient storeProbe;
  private final Presence presence;
  private final GatewayMetrics metrics;
  private final int maxConnections;
  private final Revocations revocations;
  private final HealthChecks readiness;

  /** {@code healthTimeoutMs} bounds each readiness check (the store's read included). */
  public OpsRoutes(Vertx vertx, NodeContext node, Drain drain, Sessions sessions, TokenVerifier verifier,
                   long healthTimeoutMs, Presence presence, GatewayMetrics metrics, int maxConnections,
                   Revocations revocations) {
    this.revocations = revocations;
    this.presence = presence;
    this.metrics = metrics;
    this.maxConnections = maxConnections;
    this.node = node;
    this.drain = drain;
    this.sessions = sessions;
    this.verifier = verifier;
    this.storeProbe = new DeliveryClient(vertx.eventBus(), healthTimeoutMs);
    this.readiness = readiness(vertx, healthTimeoutMs);
  }

  public void mount(Router router) {
    mountLiveAndMetrics(router, node);
    router.get(READY).handler(this::ready);
    router.post(ADMIN_DRAIN).handler(rc -> asAdmin(rc, "drain", who -> adminDrain(rc, who)));
    router.get(ADMIN_CONNECTIONS).handler(rc -> asAdmin(rc, "connections", who -> adminConnections(rc)));
    router.get(ADMIN_USER).handler(rc -> asAdmin(rc, "user", who -> adminUser(rc)));
    router.get(ADMIN_PRESENCE).handler(rc -> asAdmin(rc, "presence", who -> adminPresence(rc)));
    router.post(ADMIN_REVOKE).handler(BodyHandler.create(false).setBodyLimit(REVOKE_BODY_LIMIT))
        .handler(rc -> asAdmin(rc, "revoke", who -> adminRevoke(rc, who)));
  }

  /**
   * GET /health/live and GET /metrics (micrometer's scraping handler, in the Prometheus text
   * format), on the gateway's server and on the node's own metrics port alike.
   */
  static void mountLiveAndMetrics(Router router, NodeContext node) {
    router.get(LIVE).handler(rc -> json(rc, 200, new JsonObject().put("status", "UP").put("nodeId", node.nodeId())));
    router.get(METRICS).handler(rc -> {
      rc.response().putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
      rc.next();
    }).handler(PrometheusScrapingHandler.create(node.metrics()));
  }

  /**
   * The whole of the node's metrics port (COURIER_METRICS_PORT): liveness and metrics, 405 for any
   * method but GET, 404 for any other path. How a node without the connection verticle is scraped.
   */
  public static Router metricsPort(Vertx vertx, NodeContext node) {
    Router router = Router.router(vertx);
    mountLiveAndMetrics(router, node);
    router.route().handler(rc -> {
      if (rc.request().method() != HttpMethod.GET) {
        rc.response().setStatusCode(405).putHeader(HttpHeaders.ALLOW, "GET").end();
      } else {
        rc.response().setStatusCode(404).end();
      }
    });
    return router;
  }

  /** Runs {@code then} for a valid token with the admin role; answers 401 or 403 otherwise. */
  public void asAdmin(RoutingContext rc, String what, java.util.function.Consumer<Identity> then) {
    String token = WsHandshake.bearer(rc.request().getHeader(HttpHeaders.AUTHORIZATION));
    verifier.verify(token).onComplete(ar -> {
      if (ar.failed()) {
        TokenVerifier.Rejected r = TokenVerifier.rejection(ar.cause());
        metrics.authFailure(r.reason);
        if (TokenVerifier.REVOKED.equals(r.reason)) {
          plain(rc, 403, r.refusal());
          return;
        }
        rc.response().putHeader("WWW-Authenticate", "Bearer");
        plain(rc, 401, r.refusal());
        return;
      }
      Identity who = ar.result();
      if (!who.roles().contains(ADMIN_ROLE)) {
        LOG.atWarn().addKeyValue("nodeId", node.nodeId()).addKeyValue("userId", who.userId())
            .addKeyValue("endpoint", what).log("admin call refused: no admin role");
        plain(rc, 403, "admin role required");
        return;
      }
      then.accept(who);
    });
  }

  /**
   * This node's connections: the count against the limit, and how they spread over users (how many
   * users hold 1, 2, ... connections, and the users holding the most).
   */
  private void adminConnections(RoutingContext rc) {
    Map<String, Integer> perUser = sessions.perUser();
    JsonObject spread = new JsonObject();
    new TreeMap<>(perUser.values().stream().collect(Collectors.groupingBy(n -> n, Collectors.counting())))
        .forEach((n, users) -> spread.put(String.valueOf(n), users));
    JsonArray top = new JsonArray();
    perUser.entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
        .limit(TOP_USERS)
        .forEach(e -> top.add(new JsonObject().put("userId", e.getKey()).put("connections", e.getValue())));
    int open = sessions.size();
    json(rc, 200, new JsonObject().put("nodeId", node.nodeId()).put("connections", open)
        .put("limit", maxConnections).put("capacityRatio", (double) open / maxConnections)
        .put("draining", drain.isDraining()).put("users", perUser.size())
        .put("usersByConnections", spread).put("topUsers", top));
  }

  /** One user's connections in the whole cluster, from the presence map. */
  private void adminUser(RoutingContext rc) {
    String userId = rc.pathParam("userId");
    if (userId == null || userId.isBlank() || userId.length() > 256) {
      plain(rc, 400, "a user id of 1-256 characters is required");
      return;
    }
    presence.detail(userId).onComplete(ar -> {
      if (ar.failed()) {
        plain(rc, 503, "presence unavailable: " + ar.cause().getMessage());
        return;
      }
      PresenceDetail e = ar.result();
      JsonArray connections = new JsonArray();
      new TreeMap<>(e.connections()).forEach((sessionId, d) -> connections.add(new JsonObject()
          .put("sessionId", sessionId).put("nodeId", d.nodeId()).put("since", d.since())));
      JsonObject body = new JsonObject().put("userId", userId).put("online", e.online())
          .put("devices", connections.size()).put("connections", connections)
          .put("watchedBy", new JsonArray(List.copyOf(new TreeSet<>(e.watchingNodes()))));
      if (e.online()) {
        body.put("onlineSince", e.since());
      } else if (e.lastSeen() > 0) {
        body.put("lastSeen", e.lastSeen());
      }
      json(rc, 200, body);
    });
  }

  /**
   * Cluster-wide presence counts (one aggregation over the presence map: online users, devices, users
   * watched by some node, and users/devices per node) and the gateway members' leases.
   */
  private void adminPresence(RoutingContext rc) {
    presence.counts().compose(counts -> presence.leases().map(all -> {
      JsonObject nodes = new JsonObject();
      counts.nodes().forEach((nodeId, n) -> nodes.put(nodeId,
          new JsonObject().put("users", n.users()).put("devices", n.devices())));
      JsonArray leased = new JsonArray();
      all.forEach((memberId, nodeId) -> leased.add(new JsonObject().put("nodeId", nodeId).put("memberId", memberId)));
      return new JsonObject().put("onlineUsers", counts.onlineUsers()).put("devices", counts.devices())
          .put("watchedUsers", counts.watchedUsers()).put("nodes", nodes).put("leases", leased);
    })).onComplete(ar -> {
      if (ar.failed()) {
        plain(rc, 503, "presence unavailable: " + ar.cause().getMessage());
      } else {
        json(rc, 200, ar.result());
      }
    });
  }

  /**
   * The readiness procedures, run by vertx-health-checks (each bounded by the health timeout; a
   * procedure that fails or times out is DOWN): not draining, the cluster member runs, the
   * revocations are read (Redis only), the store answers. The store's entry also lists its
   * deployment warnings (informational: they never fail readiness).
   */
  private HealthChecks readiness(Vertx vertx, long timeoutMs) {
    HealthChecks checks = HealthChecks.create(vertx);
    checks.register(CHECK_ACCEPTING, timeoutMs, p -> p.complete(drain.isDraining() ? down("node is draining") : Status.OK()));
    checks.register(CHECK_CLUSTER, timeoutMs, p -> p.complete(node.hazelcast().getLifecycleService().isRunning()
        ? Status.OK() : down("cluster member not running")));
    if (revocations.usesRedis()) {
      // Without the revocations kept in Redis a node could admit a revoked token after a full restart.
      checks.register(CHECK_REVOCATIONS, timeoutMs, p -> p.complete(revocations.loaded()
          ? Status.OK() : down("revocations not yet read from Redis")));
    }
    checks.register(CHECK_STORE, timeoutMs, p -> {
      Future<?> store = storeProbe.read(HEALTH_USER, 0, 0);
      // The store's deployment findings (Redis fsync, eviction, replicas; the memory-only default
      // store); a delivery that does not answer them (an older version in another process) leaves them out.
      Future<StoreChecks> findings = storeProbe.storeChecks();
      Future.join(store, findings).onComplete(all -> {
        Status status = store.succeeded() ? Status.OK() : down(store.cause().getMessage());
        if (findings.succeeded()) {
          JsonObject data = status.getData() == null ? new JsonObject() : status.getData();
          status.setData(data.put("kind", findings.result().store())
              .put("warnings", new JsonArray(findings.result().warnings())));
        }
        p.complete(status);
      });
    });
    return checks;
  }

  /** 200 when every readiness procedure is UP, else 503; the body keeps one entry per check by name. */
  private void ready(RoutingContext rc) {
    readiness.checkStatus().onComplete(ar -> {
      List<CheckResult> results = ar.succeeded() && ar.result().getChecks() != null ? ar.result().getChecks() : List.of();
      boolean ok = ar.succeeded() && results.stream().allMatch(c -> Boolean.TRUE.equals(c.getUp()));
      // In the documented order, whatever order the library keeps them in.
      JsonObject checks = new JsonObject();
      for (String name : CHECKS) {
        results.stream().filter(c -> name.equals(c.getId())).findFirst().ifPresent(c -> checks.put(name, entry(c)));
      }
      json(rc, ok ? 200 : 503, new JsonObject().put("status", ok ? "UP" : "DOWN").put("nodeId", node.nodeId())
          .put("connections", sessions.size()).put("checks", checks));
    });
  }

  /** One check as the body shows it: {status, reason?, ...its data}. */
  private static JsonObject entry(CheckResult c) {
    boolean up = Boolean.TRUE.equals(c.getUp());
    JsonObject e = new JsonObject().put("status", up ? "UP" : "DOWN");
    JsonObject data = c.getStatus() == null ? null : c.getStatus().getData();
    if (c.getFailure() != null) {
      e.put("reason", String.valueOf(c.getFailure().getMessage()));
    }
    if (data != null) {
      data.forEach(kv -> e.put(kv.getKey(), kv.getValue()));
    }
    return e;
  }

  private void adminDrain(RoutingContext rc, Identity who) {
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
  }

  /**
   * POST /admin/revoke {"user": id} (every token of the user issued up to now) or {"jti": id} (that
   * token). 200 once the cluster map holds it (and Redis, with the Redis store) and every node has
   * been told; those nodes close the matching connections with 4003.
   */
  private void adminRevoke(RoutingContext rc, Identity who) {
    JsonObject body;
    try {
      body = rc.body().asJsonObject();
    } catch (RuntimeException e) {
      body = null;
    }
    Object user = body == null ? null : body.getValue("user");
    Object jti = body == null ? null : body.getValue("jti");
    if (body == null || (user == null) == (jti == null)
        || !(user == null || validSubject(user)) || !(jti == null || validSubject(jti))) {
      plain(rc, 400, "body must be a JSON object with exactly one of \"user\" or \"jti\", a string of 1-"
          + Revocation.MAX_SUBJECT + " characters");
      return;
    }
    Revocation r = user != null ? new Revocation(Revocation.Kind.USER, (String) user, System.currentTimeMillis())
        : new Revocation(Revocation.Kind.JTI, (String) jti, System.currentTimeMillis());
    JsonObject revoked = new JsonObject().put(r.kind().label, r.subject()).put("at", r.at());
    revocations.revoke(r).onComplete(ar -> {
      LOG.atWarn().addKeyValue("nodeId", node.nodeId()).addKeyValue("adminUserId", who.userId())
          .addKeyValue("kind", r.kind().label).addKeyValue(r.kind() == Revocation.Kind.USER ? "userId" : "jti", r.subject())
          .addKeyValue("stored", ar.succeeded()).log("revocation requested over the admin endpoint");
      if (ar.failed()) {
        json(rc, 503, new JsonObject().put("status", "failed").put("revoked", revoked)
            .put("error", String.valueOf(ar.cause().getMessage()))
            .put("hint", "the revocation may be partly applied; repeat the call"));
        return;
      }
      metrics.revoked(r.kind().label);
      json(rc, 200, new JsonObject().put("status", "revoked").put("revoked", revoked)
          .put("expiresAt", r.at() + revocations.ttlMs()).put("nodeId", node.nodeId()));
    });
  }

  private static boolean validSubject(Object v) {
    return v instanceof String s && !s.isEmpty() && s.length() <= Revocation.MAX_SUBJECT;
  }

  private static Status down(String reason) {
    return Status.KO(new JsonObject().put("reason", String.valueOf(reason)));
  }

  private static void json(RoutingContext rc, int status, JsonObject body) {
    rc.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, JSON)
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store").end(body.encode());
  }

  private static void plain(RoutingContext rc, int status, String message) {
    rc.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain").end(message);
  }
}
