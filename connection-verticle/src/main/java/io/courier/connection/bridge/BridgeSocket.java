package io.courier.connection.bridge;

import io.courier.connection.auth.Identity;
import io.courier.connection.auth.TokenVerifier;
import io.courier.connection.handshake.Admission;
import io.courier.connection.session.Session;
import io.courier.connection.transport.Channels;
import io.courier.connection.transport.Transport;
import io.courier.protocol.CloseCodes;
import io.courier.protocol.ErrorCodes;
import io.courier.protocol.FrameTypes;
import io.courier.protocol.HttpPaths;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One browser socket on {@code /eventbus}, speaking the Vert.x event-bus bridge protocol (the
 * envelopes of {@code @vertx/eventbus-bridge-client.js}) without touching the event bus: each
 * permitted envelope becomes the matching {@code /ws} frame of a {@link Session}, and the session's
 * frames go back as replies or as pushes on the user's inbox address. Nothing is registered in the
 * cluster per socket; pushes reach the session through the node inbox like any WebSocket's.
 */
public final class BridgeSocket implements Transport {
  static final String SEND = "courier.send";
  static final String ACK = "courier.ack";
  static final String SYNC = "courier.sync";
  static final String INBOX_PREFIX = "courier.inbox.";
  static final String ACCESS_DENIED = "access_denied";
  /** Close reason (with 1008) of a socket that did not authenticate within COURIER_HANDSHAKE_TIMEOUT_MS. */
  static final String AUTH_TIMEOUT = "authentication timeout";
  private static final Logger LOG = LoggerFactory.getLogger(BridgeSocket.class);
  /** Reply refs this class gives to frames it feeds into the session; a client's own ref is replaced. */
  private static final String REPLY_REF = "bridge-reply:";
  private static final String RATE_MESSAGE = "too many envelopes or bytes per second; slow down";

  /** What the gateway does for a bridge socket besides admitting it: timers and the pending-socket count. */
  interface Host {
    /** Runs {@code action} on this socket's context after {@code delayMs}. */
    void later(long delayMs, Runnable action);

    /** How long an authenticated socket may go without registering its inbox (the idle timeout). */
    long registerTimeoutMs();

    /** How long a socket may take to authenticate (COURIER_HANDSHAKE_TIMEOUT_MS). */
    long authTimeoutMs();

    /** The upgraded HTTP connection under an authenticated socket: no longer a pending socket. */
    void authenticated(io.vertx.core.http.HttpConnection upgraded);

    /**
     * An authenticated session over a polling transport: the requests of {@code sessionId} no
     * longer count as pending sockets, until {@link #ended}; nor does {@code first}, the
     * connection of the request that opened the session (null when unknown).
     */
    void authenticated(String sessionId, io.vertx.core.http.HttpConnection first);

    /** The session of {@link #authenticated(String)} is gone. */
    void ended(String sessionId);

    /** Counts a socket closed for not authenticating in time. */
    void authTimedOut();
  }

  private final SockJSSocket sock;
  private final Host host;
  private final Admission admission;
  private final int maxFrameBytes;
  private final Set<String> pendingReplies = new HashSet<>();
  private final List<JsonObject> waiting = new ArrayList<>();
  private Session session;
  private String inbox;
  private String pushPrefix;
  private boolean registered;
  private boolean authenticating;
  private boolean closed;
  /** The SockJS session id of an authenticated socket over a polling transport, else null. */
  private String pollingSession;
  private Short closeCode;
  private String closeReason;

  BridgeSocket(SockJSSocket sock, Host host, Admission admission, int maxFrameBytes) {
    this.sock = sock;
    this.host = host;
    this.admission = admission;
    this.maxFrameBytes = maxFrameBytes;
  }

  void start() {
    sock.handler(this::onEnvelope);
    sock.closeHandler(v -> {
      closed = true;
      if (pollingSession != null) {
        host.ended(pollingSession);
      }
      if (session != null) {
        session.onSocketClosed();
      }
    });
    sock.exceptionHandler(err -> LOG.atDebug().addKeyValue("nodeId", admission.nodeId())
        .addKeyValue("error", err.toString()).log("bridge socket error"));
    if (admission.draining()) {
      refuse(CloseCodes.SERVICE_RESTART, Session.DRAINING);
      return;
    }
    if (!admission.originAllowed(sock.headers().get("Origin"))) {
      refuse(CloseCodes.POLICY, "origin not allowed");
      return;
    }
    // Every transport, polling ones included: a SockJS session without a valid token is not kept.
    host.later(host.authTimeoutMs(), () -> {
      if (session == null && !closed) {
        host.authTimedOut();
        refuse(CloseCodes.POLICY, AUTH_TIMEOUT);
      }
    });
    String token = queryParam(sock.uri(), "token");
    if (token != null) {
      authenticate(token);
    }
    // Without ?token= the first envelope's headers.token authenticates the socket.
  }

  private void authenticate(String token) {
    authenticating = true;
    admission.verify(token).onComplete(ar -> {
      authenticating = false;
      if (closed) {
        return;
      }
      if (ar.failed()) {
        TokenVerifier.Rejected r = TokenVerifier.rejection(ar.cause());
        refuse(TokenVerifier.REVOKED.equals(r.reason) ? CloseCodes.REVOKED : CloseCodes.POLICY, r.refusal());
        return;
      }
      if (admission.draining()) {
        refuse(CloseCodes.SERVICE_RESTART, Session.DRAINING);
        return;
      }
      authenticating = true;
      // A bridge socket counts against the node's and the user's connection limits like a WebSocket.
      admission.admit(ar.result()).onComplete(opened -> {
        authenticating = false;
        if (opened.failed()) {
          if (!closed) {
            refuse(opened.cause() instanceof Admission.Refused r ? r.refusal.closeCode() : CloseCodes.TRY_AGAIN_LATER,
                opened.cause().getMessage());
          }
          return;
        }
        session = opened.result().open(this);
        HttpServerRequest upgraded = upgradedRequest();
        if (upgraded != null) {
          host.authenticated(upgraded.connection());
        } else if ((pollingSession = pollingSessionId(sock.uri())) != null) {
          io.vertx.ext.web.RoutingContext rc = sock.routingContext();
          host.authenticated(pollingSession, rc == null ? null : rc.request().connection());
          if (closed) {
            host.ended(pollingSession);
          }
        }
        if (closed) {
          // The socket went away while the session was being registered: undo it now.
          session.onSocketClosed();
          return;
        }
        opened(ar.result());
      });
    });
  }

  /** The session is registered: envelopes that waited for it are handled now. */
  private void opened(Identity identity) {
    // Idle and expiry checks start with welcome: a socket that never registers is closed here.
    host.later(host.registerTimeoutMs(), () -> {
      if (!registered && !closed) {
        close(CloseCodes.GOING_AWAY, "inbox not registered");
      }
    });
    inbox = INBOX_PREFIX + identity.userId();
    pushPrefix = "{\"type\":\"rec\",\"address\":" + Json.encode(inbox) + ",\"body\":";
    List<JsonObject> queued = new ArrayList<>(waiting);
    waiting.clear();
    queued.forEach(this::handle);
  }

  private void refuse(short code, String reason) {
    LOG.atInfo().addKeyValue("nodeId", admission.nodeId()).addKeyValue("reason", reason)
        .addKeyValue("remote", String.valueOf(sock.remoteAddress())).log("bridge socket refused");
    close(code, reason);
  }

  // ---- inbound envelopes ---------------------------------------------------------------------

  private void onEnvelope(Buffer raw) {
    if (closed) {
      return;
    }
    // Every envelope of an authenticated socket costs its rate, refused ones included.
    boolean admitted = session == null || session.admit(raw.length());
    if (!admitted && raw.length() > maxFrameBytes + 1024) {
      rateLimited(null);
      return;
    }
    if (raw.length() > maxFrameBytes + 1024) {
      writeErr(null, ErrorCodes.TOO_LARGE, "envelope exceeds " + maxFrameBytes + " bytes");
      return;
    }
    JsonObject env;
    try {
      env = new JsonObject(raw);
    } catch (RuntimeException e) {
      // DecodeException, a JSON value that is not an object, or the parser's own limits.
      if (admitted) {
        writeErr(null, ErrorCodes.BAD_FRAME, "envelope is not a JSON object");
      } else {
        rateLimited(null);
      }
      return;
    }
    if (session == null) {
      waiting.add(env);
      if (!authenticating) {
        JsonObject headers = env.getValue("headers") instanceof JsonObject h ? h : new JsonObject();
        Object token = headers.getValue("token");
        if (token instanceof String t) {
          authenticate(t);
        } else {
          refuse(CloseCodes.POLICY, "token missing");
        }
      } else if (waiting.size() > 64) {
        refuse(CloseCodes.POLICY, "too many envelopes before authentication");
      }
      return;
    }
    if (!admitted) {
      // Over the connection's frame or byte rate: refused like a /ws frame, to the reply handler if any.
      rateLimited(env.getValue("replyAddress") instanceof String r ? r : null);
      return;
    }
    handle(env);
  }

  /** Answers an envelope over the rate, then counts the strike (which may close with 1008). */
  private void rateLimited(String replyAddress) {
    writeErr(replyAddress, ErrorCodes.RATE_LIMITED, RATE_MESSAGE);
    session.strike();
  }

  private void handle(JsonObject env) {
    if (closed) {
      return;
    }
    session.touch();
    String type = env.getValue("type") instanceof String t ? t : "";
    String address = env.getValue("address") instanceof String a ? a : null;
    String replyAddress = env.getValue("replyAddress") instanceof String r ? r : null;
    switch (type) {
      case "ping" -> { }
      case "register" -> onRegister(address);
      case "unregister" -> {
        if (inbox.equals(address)) {
          // Pushes need a registered inbox; without one the socket has nothing to deliver to.
          close(CloseCodes.NORMAL, "inbox unregistered");
        }
      }
      case "send" -> onSend(address, env.getValue("body"), replyAddress);
      default -> denied(replyAddress != null ? replyAddress : address, "'" + type + "' is not permitted");
    }
  }

  private void onRegister(String address) {
    if (!inbox.equals(address)) {
      LOG.atInfo().addKeyValue("nodeId", admission.nodeId()).addKeyValue("sessionId", session.sessionId())
          .addKeyValue("userId", session.userId()).addKeyValue("address", address)
          .log("bridge register refused");
      denied(address, "only " + inbox + " may be registered");
      return;
    }
    if (!registered) {
      registered = true;
      admission.welcome(session, () -> {});
    }
  }

  private void onSend(String address, Object body, String replyAddress) {
    String frameType = address == null ? null : switch (address) {
      case SEND -> FrameTypes.SEND;
      case ACK -> FrameTypes.ACK;
      case SYNC -> FrameTypes.SYNC;
      default -> null;
    };
    if (frameType == null) {
      denied(replyAddress != null ? replyAddress : address, "address not permitted");
      return;
    }
    if (!(body instanceof JsonObject b)) {
      writeErr(replyAddress, ErrorCodes.BAD_FRAME, "body must be a JSON object");
      return;
    }
    JsonObject frame = b.copy().put("type", frameType);
    frame.remove("ref");
    if (replyAddress != null && !FrameTypes.ACK.equals(frameType)) {
      String ref = REPLY_REF + replyAddress;
      pendingReplies.add(ref);
      frame.put("ref", ref);
    }
    session.onBridgeFrame(frame.encode());
  }

  // ---- Transport: session frames out ---------------------------------------------------------

  @Override
  public Future<Void> write(String frame) {
    if (closed) {
      return Future.succeededFuture();
    }
    if (frame.contains("\"ref\":\"" + REPLY_REF)) {
      JsonObject f = new JsonObject(frame);
      String ref = f.getString("ref");
      if (ref != null && pendingReplies.remove(ref)) {
        f.remove("ref");
        String replyAddress = ref.substring(REPLY_REF.length());
        if (FrameTypes.ERROR.equals(f.getString("type"))) {
          return writeErr(replyAddress, f.getString("code"), f.getString("message"));
        }
        return sock.write(new JsonObject().put("type", "rec").put("address", replyAddress).put("body", f).encode());
      }
    }
    if (registered) {
      // Encoded once by the session; only the envelope is added around it.
      return sock.write(pushPrefix + frame + "}");
    }
    return Future.succeededFuture();
  }

  private Future<Void> writeErr(String address, String code, String message) {
    JsonObject err = new JsonObject().put("type", "err").put("failureCode", failureCode(code))
        .put("failureType", "RECIPIENT_FAILURE").put("message", code).put("body", new JsonObject()
            .put("type", FrameTypes.ERROR).put("code", code).put("message", message));
    if (address != null) {
      err.put("address", address);
    }
    return sock.write(err.encode());
  }

  /** The event-bus bridge's own refusal, {@code {"type":"err","body":"access_denied"}}, plus the address. */
  private void denied(String address, String message) {
    JsonObject err = new JsonObject().put("type", "err").put("body", ACCESS_DENIED).put("failureCode", 403)
        .put("failureType", ACCESS_DENIED).put("message", message);
    if (address != null) {
      err.put("address", address);
    }
    sock.write(err.encode());
  }

  static int failureCode(String code) {
    return switch (code == null ? "" : code) {
      case ErrorCodes.BAD_FRAME -> 400;
      case ErrorCodes.FORBIDDEN -> 403;
      case ErrorCodes.NOT_FOUND -> 404;
      case ErrorCodes.TOO_LARGE -> 413;
      case ErrorCodes.RATE_LIMITED -> 429;
      case ErrorCodes.UNAVAILABLE, ErrorCodes.OVERLOADED -> 503;
      default -> 500;
    };
  }

  @Override
  public void close(short code, String reason) {
    if (closeCode == null) {
      closeCode = code;
      closeReason = reason;
    }
    sock.close(code, reason);
  }

  @Override
  public void abort() {
    // Over SockJS's WebSocket transports the socket's request is the upgraded connection: reset it.
    // Polling transports end with SockJS's own session timeout once the client stops polling.
    HttpServerRequest upgraded = upgradedRequest();
    if (upgraded == null || !Channels.abort(upgraded.connection())) {
      sock.close();
    }
  }

  /** The upgrade request under SockJS's WebSocket transports; null for the polling ones. */
  private HttpServerRequest upgradedRequest() {
    io.vertx.ext.web.RoutingContext rc = sock.routingContext();
    boolean upgraded = rc != null && "websocket".equalsIgnoreCase(rc.request().getHeader("Upgrade"));
    return upgraded ? rc.request() : null;
  }

  @Override
  public void ping() {
    // SockJS sends its own heartbeat frames; the bridge client pings every 5 s by default.
  }

  @Override
  public Short closeStatusCode() {
    return closeCode;
  }

  @Override
  public String closeReason() {
    return closeReason;
  }

  /**
   * The SockJS session id in a transport URL ({@code <prefix>/<server>/<session>/<transport>}), or
   * null for any other path (the raw WebSocket, {@code /info}).
   */
  static String pollingSessionId(String uri) {
    if (uri == null) {
      return null;
    }
    int q = uri.indexOf('?');
    String path = q < 0 ? uri : uri.substring(0, q);
    String prefix = HttpPaths.EVENT_BUS + "/";
    if (!path.startsWith(prefix)) {
      return null;
    }
    String[] parts = path.substring(prefix.length()).split("/", -1);
    return parts.length == 3 && !parts[1].isEmpty() && !parts[2].isEmpty() ? parts[1] : null;
  }

  /** The first value of query parameter {@code name} (%xx and + decoded), "" when it has no '=', null when absent. */
  static String queryParam(String uri, String name) {
    if (uri == null) {
      return null;
    }
    // ';' is part of a value here, as in the URL decoding the bridge used before, not a separator.
    List<String> values = new QueryStringDecoder(uri, StandardCharsets.UTF_8, true, 1024, true)
        .parameters().get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }
}
