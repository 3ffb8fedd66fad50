package io.courier.connection.handshake;

import io.courier.cluster.Presence;
import io.courier.connection.GatewayMetrics;
import io.courier.connection.auth.Identity;
import io.courier.connection.auth.TokenVerifier;
import io.courier.connection.session.DeliveryClient;
import io.courier.connection.session.Session;
import io.courier.connection.session.SessionServices;
import io.courier.connection.session.Sessions;
import io.courier.connection.transport.Transport;
import io.courier.protocol.CloseCodes;
import io.vertx.core.Future;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may connect, one path for {@code /ws} ({@link WsHandshake}) and {@code /eventbus}
 * ({@code BridgeSocket}): not while the node drains, only from allowed origins, with a valid token,
 * within the node's connection limit (COURIER_MAX_CONNECTIONS) and the user's (a device added to
 * presence within COURIER_MAX_CONNECTIONS_PER_USER in one step), then a {@link Session} registered
 * on this node and welcomed. Each transport asks in its own order and answers a refusal its own
 * way: HTTP before the upgrade, a close frame on the bridge's socket. One per gateway instance, on
 * its event loop.
 */
public final class Admission {
  /** Retry-After (seconds) of a handshake refused at COURIER_MAX_CONNECTIONS, or when presence is unreachable. */
  static final int FULL_RETRY_AFTER_S = 5;
  /**
   * Retry-After (seconds) of a handshake refused at COURIER_MAX_CONNECTIONS_PER_USER: a place frees
   * only when one of the user's own connections closes, so retrying sooner is no use.
   */
  static final int USER_LIMIT_RETRY_AFTER_S = 30;
  private static final Logger LOG = LoggerFactory.getLogger(Admission.class);

  /** A refusal at the limits, counted here under {@link #metric}; each transport answers it in its own terms. */
  public enum Refusal {
    /** The node is at COURIER_MAX_CONNECTIONS. */
    LIMIT("limit", 503, "limit", FULL_RETRY_AFTER_S, "node at its connection limit, retry later",
        "node at its connection limit, retry later"),
    /** Presence did not answer, so the user's limit could not be checked. */
    UNAVAILABLE("unavailable", 503, "presence", FULL_RETRY_AFTER_S, "service unavailable, retry later",
        "service unavailable, reconnect later"),
    /** The user is at COURIER_MAX_CONNECTIONS_PER_USER. */
    USER_LIMIT("user_limit", 429, "user_limit", USER_LIMIT_RETRY_AFTER_S, "too many connections for this user",
        "too many connections for this user");

    /** The reason counted by {@link GatewayMetrics#refused}. */
    final String metric;
    /** The handshake's HTTP answer: status, logged reason, Retry-After (s), body. */
    final int status;
    final String reason;
    final int retryAfterS;
    final String message;
    /** The bridge socket's close reason (with 1013). */
    final String closeReason;

    Refusal(String metric, int status, String reason, int retryAfterS, String message, String closeReason) {
      this.metric = metric;
      this.status = status;
      this.reason = reason;
      this.retryAfterS = retryAfterS;
      this.message = message;
      this.closeReason = closeReason;
    }

    /** The code a socket refused this way is closed with. */
    public short closeCode() {
      return CloseCodes.TRY_AGAIN_LATER;
    }

    public String closeReason() {
      return closeReason;
    }
  }

  /** Why {@link #register} or {@link #admit} failed. */
  public static final class Refused extends RuntimeException {
    public final Refusal refusal;

    Refused(Refusal refusal) {
      super(refusal.closeReason, null, false, false);
      this.refusal = refusal;
    }
  }

  /** The gateway instance's own sessions: its timer and its part of a drain walk them. */
  public interface Local {
    void opened(Session s);

    /** After the session's place and counts are given back, before its device leaves presence. */
    void closed(Session s);
  }

  /**
   * An admitted connection: its place under the node's limit taken and its device in presence.
   * Either {@link #open} a session on it, which gives both back when it closes, or {@link #cancel} it.
   */
  public final class Ticket {
    private final Identity identity;
    private final String sessionId;

    private Ticket(Identity identity, String sessionId) {
      this.identity = identity;
      this.sessionId = sessionId;
    }

    /** A session over {@code transport}, registered on this node; presence already counts it as a device. */
    public Session open(Transport transport) {
      Session s = new Session(transport, sessionId, identity, services);
      sessions.add(s);
      local.opened(s);
      metrics.opened();
      s.start(() -> {
        sessions.remove(s);
        sessions.release();
        long durationMs = System.currentTimeMillis() - s.openedAt();
        metrics.closed(s.closeCode(), durationMs);
        local.closed(s);
        presence.removeDevice(identity.userId(), sessionId);
        LOG.atInfo().addKeyValue("nodeId", nodeId).addKeyValue("sessionId", sessionId)
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

    /** No session after all (the upgrade failed, the node began draining): both are given back. */
    public void cancel() {
      sessions.release();
      presence.removeDevice(identity.userId(), sessionId);
    }
  }

  private final String nodeId;
  private final BooleanSupplier draining;
  private final OriginPolicy origins;
  private final TokenVerifier verifier;
  private final Sessions sessions;
  private final int maxConnections;
  private final int maxPerUser;
  private final Presence presence;
  private final DeliveryClient delivery;
  private final GatewayMetrics metrics;
  private final SessionServices services;
  private final Local local;

  public Admission(String nodeId, BooleanSupplier draining, OriginPolicy origins, Sessions sessions,
                   int maxConnections, int maxPerUser, Presence presence, SessionServices services,
                   Local local) {
    this.nodeId = nodeId;
    this.draining = draining;
    this.origins = origins;
    this.verifier = services.verifier();
    this.sessions = sessions;
    this.maxConnections = maxConnections;
    this.maxPerUser = maxPerUser;
    this.presence = presence;
    this.delivery = services.delivery();
    this.metrics = services.metrics();
    this.services = services;
    this.local = local;
  }

  public String nodeId() {
    return nodeId;
  }

  /** A draining node takes no new connections: the client retries, and a load balancer sends it elsewhere. */
  public boolean draining() {
    return draining.getAsBoolean();
  }

  /** COURIER_ALLOWED_ORIGINS ({@code origin} null: not a browser, allowed). */
  public boolean originAllowed(String origin) {
    return origins.allows(origin);
  }

  /** The token's identity; fails with what {@link TokenVerifier#rejection} reads. */
  public Future<Identity> verify(String token) {
    return verifier.verify(token);
  }

  /** Takes a place under COURIER_MAX_CONNECTIONS; false, counted as {@link Refusal#LIMIT}, when the node is full. */
  public boolean takePlace() {
    if (sessions.tryAdmit(maxConnections)) {
      return true;
    }
    metrics.refused(Refusal.LIMIT.metric);
    return false;
  }

  /** Gives back a place taken by {@link #takePlace} for a connection that goes no further. */
  public void releasePlace() {
    sessions.release();
  }

  /**
   * With a place taken: adds the device to presence within the user's limit, checked and taken in
   * one step. Refused ({@link Refused}, counted): the place is given back.
   */
  public Future<Ticket> register(Identity identity) {
    String sessionId = UUID.randomUUID().toString();
    return presence.addDeviceWithin(identity.userId(), sessionId, nodeId, maxPerUser).transform(reg -> {
      if (reg.succeeded() && reg.result()) {
        return Future.succeededFuture(new Ticket(identity, sessionId));
      }
      sessions.release();
      Refusal r = reg.failed() ? Refusal.UNAVAILABLE : Refusal.USER_LIMIT;
      metrics.refused(r.metric);
      return Future.failedFuture(new Refused(r));
    });
  }

  /** {@link #takePlace} then {@link #register}, for a connection whose token is verified already. */
  public Future<Ticket> admit(Identity identity) {
    if (!takePlace()) {
      return Future.failedFuture(new Refused(Refusal.LIMIT));
    }
    return register(identity);
  }

  /** Reads the inbox head and writes welcome (presence has the device already); then runs {@code after}. */
  public void welcome(Session s, Runnable after) {
    delivery.read(s.userId(), 0, 0)
        .onSuccess(head -> {
          s.welcome(head.epoch(), head.lastSeq(), nodeId);
          after.run();
          LOG.atInfo().addKeyValue("nodeId", nodeId).addKeyValue("sessionId", s.sessionId())
              .addKeyValue("userId", s.userId()).addKeyValue("lastSeq", head.lastSeq())
              .log("connected");
        })
        .onFailure(err -> {
          LOG.atWarn().addKeyValue("nodeId", nodeId).addKeyValue("sessionId", s.sessionId())
              .addKeyValue("userId", s.userId()).addKeyValue("error", err.getMessage())
              .log("connection setup failed");
          after.run();
          s.close(CloseCodes.TRY_AGAIN_LATER, "service unavailable, reconnect later");
        });
  }
}
