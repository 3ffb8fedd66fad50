package io.courier.connection.handshake;

import io.courier.connection.Drain;
import io.courier.connection.GatewayMetrics;
import io.courier.connection.auth.TokenVerifier;
import io.courier.connection.session.Session;
import io.courier.connection.transport.WsTransport;
import io.courier.protocol.CloseCodes;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /ws}: the {@link Admission} checks before the upgrade, so every refusal is still plain
 * HTTP (a status, Retry-After where a retry helps), then the WebSocket and its session. The node's
 * limit is checked before the token: a full node spends nothing on a handshake it cannot take.
 */
public final class WsHandshake implements Handler<RoutingContext> {
  private static final Logger LOG = LoggerFactory.getLogger(WsHandshake.class);
  private final Admission admission;
  private final ConnectionGuard guard;
  private final GatewayMetrics metrics;
  private final int transportLimit;

  /** {@code transportLimit}: the largest message the WebSocket takes ({@code GatewaySettings.transportLimit}). */
  public WsHandshake(Admission admission, ConnectionGuard guard, GatewayMetrics metrics, int transportLimit) {
    this.admission = admission;
    this.guard = guard;
    this.metrics = metrics;
    this.transportLimit = transportLimit;
  }

  @Override
  public void handle(RoutingContext rc) {
    HttpServerRequest req = rc.request();
    if (!"websocket".equalsIgnoreCase(req.getHeader(HttpHeaders.UPGRADE))) {
      refuse(rc, 400, "upgrade", "upgrade", "WebSocket upgrade required");
      return;
    }
    if (admission.draining()) {
      refuseDraining(rc);
      return;
    }
    if (!admission.originAllowed(req.getHeader(HttpHeaders.ORIGIN))) {
      refuse(rc, 403, "origin", "origin", "origin not allowed");
      return;
    }
    if (!admission.takePlace()) {
      answer(rc, Admission.Refusal.LIMIT);
      return;
    }
    // The header wins over ?token= whenever it is present, even when it is not a Bearer token.
    String authorization = req.getHeader(HttpHeaders.AUTHORIZATION);
    String token = authorization != null ? bearer(authorization) : req.getParam("token");
    // Paused while the token is checked: after asynchronous work, toWebSocket() on a request that was
    // not paused never completes, neither with success nor failure.
    req.pause();
    admission.verify(token).onComplete(ar -> {
      if (ar.failed()) {
        admission.releasePlace();
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
      if (admission.draining()) {
        admission.releasePlace();
        req.resume();
        refuseDraining(rc);
        return;
      }
      // Registered in presence before the upgrade, so a refusal at the user's limit is still plain HTTP.
      admission.register(ar.result()).onComplete(reg -> {
        if (reg.failed()) {
          req.resume();
          answer(rc, reg.cause() instanceof Admission.Refused r ? r.refusal : Admission.Refusal.UNAVAILABLE);
          return;
        }
        Admission.Ticket ticket = reg.result();
        req.toWebSocket()
            .onSuccess(ws -> open(ws, req, ticket))
            .onFailure(err -> {
              ticket.cancel();
              LOG.atDebug().addKeyValue("nodeId", admission.nodeId()).addKeyValue("error", err.toString())
                  .log("upgrade failed");
            });
      });
    });
  }

  private void open(ServerWebSocket ws, HttpServerRequest req, Admission.Ticket ticket) {
    HttpConnection connection = req.connection();
    // Upgraded with a valid token: no longer a pending socket; the session's liveness checks take over.
    guard.authenticated(connection);
    releaseHandshakeHeaders(req);
    if (admission.draining()) {
      // The drain started while this upgrade was completing: no session, just go.
      ticket.cancel();
      ws.close(CloseCodes.SERVICE_RESTART, Session.DRAINING);
      return;
    }
    ws.pause();
    WsTransport transport = new WsTransport(ws, connection);
    Session s = ticket.open(transport);
    transport.bind(s, transportLimit);
    admission.welcome(s, ws::resume);
  }

  /**
   * Vert.x keeps the upgrade request and its response for the WebSocket's whole life (the
   * connection holds its last request, and the WebSocket's headers() is the request's map). Their
   * headers, the token among them, are read only during the handshake: emptied here they cost the
   * connection nothing more (about 1 KiB per connection with a bearer token).
   */
  static void releaseHandshakeHeaders(HttpServerRequest req) {
    req.headers().clear();
    req.response().headers().clear();
  }

  /** A refusal at the limits, counted by the admission already. */
  private void answer(RoutingContext rc, Admission.Refusal r) {
    rc.response().putHeader(HttpHeaders.RETRY_AFTER, String.valueOf(r.retryAfterS));
    respond(rc, r.status, r.reason, r.message);
  }

  /** Before the upgrade: the client should retry later, which a load balancer sends to another node. */
  private void refuseDraining(RoutingContext rc) {
    rc.response().putHeader(HttpHeaders.RETRY_AFTER, String.valueOf(Drain.retryAfterSeconds()));
    refuse(rc, 503, "draining", "draining", "node draining, retry later");
  }

  private void refuse(RoutingContext rc, int status, String reason, String metricReason, String message) {
    metrics.refused(metricReason);
    respond(rc, status, reason, message);
  }

  private void respond(RoutingContext rc, int status, String reason, String message) {
    LOG.atInfo().addKeyValue("nodeId", admission.nodeId()).addKeyValue("status", status).addKeyValue("reason", reason)
        .addKeyValue("remote", String.valueOf(rc.request().remoteAddress())).log("handshake refused");
    rc.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain").end(message);
  }

  /** The token of an {@code Authorization: Bearer} header; null for any other scheme. */
  public static String bearer(String header) {
    if (header == null) {
      return null;
    }
    String h = header.trim();
    return h.regionMatches(true, 0, "Bearer ", 0, 7) ? h.substring(7).trim() : null;
  }
}
