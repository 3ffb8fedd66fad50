package io.courier.connection.handshake;

import io.courier.connection.transport.Channels;
import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.protocol.MetricNames;
import io.courier.protocol.Setting;
import io.netty.channel.Channel;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one HTTP server's sockets from being held without a handshake. Every accepted connection
 * takes a place in the node's {@link PendingHandshakes} (or is closed at once when there is none)
 * and keeps it until it becomes an authenticated WebSocket or bridge socket ({@link #authenticated})
 * or closes. Until then it is timed, on this server's event loop:
 *
 * <ul>
 *   <li>from accept, COURIER_HANDSHAKE_TIMEOUT_MS to complete its first exchange: the upgrade with a
 *       valid token, or a whole HTTP request answered (a socket that sends nothing, or a request line
 *       and headers a byte at a time, is closed at that deadline);
 *   <li>a later request on a keep-alive connection gets the same time from its headers;
 *   <li>a request whose body has arrived whole and that is not an upgrade is the server's to answer
 *       (a SockJS long poll, a readiness check): no deadline while it is answered;
 *   <li>between requests, COURIER_HTTP_IDLE_TIMEOUT_MS after the last response.
 * </ul>
 *
 * An authenticated connection leaves the guard: its liveness is the session's (pings, idle
 * timeout), so the HTTP idle timeout never cuts a WebSocket. Connections are checked on a tick (a
 * tenth of the shorter timeout, 10-250 ms) rather than with a timer each, and are closed that much
 * late at most. Plain class of one server, confined to the context it was created on (the context
 * its server listens on, which is the one its connections are served on).
 */
public final class ConnectionGuard {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);

  /** The three settings, checked. */
  public record Settings(int maxPending, long handshakeTimeoutMs, long idleTimeoutMs) {
    /** Reads and checks the settings; throws with the setting's name when one is out of range. */
    public static Settings from(CourierConfig c) {
      return new Settings((int) atLeast(c, ConfigKeys.MAX_PENDING_HANDSHAKES, 1, Integer.MAX_VALUE),
          atLeast(c, ConfigKeys.HANDSHAKE_TIMEOUT_MS, 1, Integer.MAX_VALUE),
          atLeast(c, ConfigKeys.HTTP_IDLE_TIMEOUT_MS, 1, Long.MAX_VALUE / 1_000_000));
    }

    private static long atLeast(CourierConfig c, Setting s, long min, long max) {
      long v = c.getLong(s);
      if (v < min || v > max) {
        throw new IllegalArgumentException(s.env() + " must be " + min + "-" + max + ", got " + v);
      }
      return v;
    }

    long tickMs() {
      return Math.max(10, Math.min(250, Math.min(handshakeTimeoutMs, idleTimeoutMs) / 10));
    }
  }

  /**
   * Server options every guarded server needs: HTTP/1.x only (with h2c on, Vert.x waits for the
   * first bytes before it announces a connection, so a silent socket would never be seen), and the
   * TLS handshake bounded by the handshake timeout (a socket is only seen once TLS is up).
   */
  public static HttpServerOptions configure(HttpServerOptions options, Settings settings) {
    return options.setHttp2ClearTextEnabled(false)
        .setSslHandshakeTimeout(settings.handshakeTimeoutMs()).setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS);
  }

  private final Vertx vertx;
  private final PendingHandshakes pending;
  private final Settings settings;
  private final String nodeId;
  private final Map<HttpConnection, Tracked> tracked = new HashMap<>();
  private long timer = -1;
  private java.util.function.Predicate<HttpServerRequest> trusted = req -> false;

  /** Create it on the context the guarded server will listen on. */
  public ConnectionGuard(Vertx vertx, PendingHandshakes pending, Settings settings, String nodeId) {
    if (Vertx.currentContext() == null) {
      throw new IllegalStateException("a connection guard is created on its server's context");
    }
    this.vertx = vertx;
    this.pending = pending;
    this.settings = settings;
    this.nodeId = nodeId;
  }

  /** Guards {@code server} (before it listens); its requests go on to {@code next}. */
  public HttpServer install(HttpServer server, Handler<HttpServerRequest> next) {
    timer = vertx.setPeriodic(settings.tickMs(), id -> tick(System.nanoTime()));
    return server.connectionHandler(this::accepted).requestHandler(req -> {
      Tracked t = tracked.get(req.connection());
      if (t != null) {
        t.request(req, System.nanoTime());
        if (trusted.test(req)) {
          // Still timed (a request must arrive whole, idle keep-alive is closed), no longer counted.
          t.place.release();
        }
      }
      next.handle(req);
    });
  }

  /**
   * Requests that belong to an authenticated session without an upgrade (SockJS polling): their
   * connection gives back its place, and stays timed.
   */
  public void trust(java.util.function.Predicate<HttpServerRequest> authenticatedRequest) {
    this.trusted = authenticatedRequest;
  }

  /**
   * {@code connection} carries a request of an authenticated session: it gives back its place and
   * stays timed. Call on this server's context.
   */
  public void trusted(HttpConnection connection) {
    Tracked t = tracked.get(connection);
    if (t != null) {
      t.place.release();
    }
  }

  /** Stops timing and gives back the places of the connections still held (the server is closing). */
  public void stop() {
    vertx.cancelTimer(timer);
    tracked.values().forEach(t -> t.place.release());
    tracked.clear();
  }

  /**
   * {@code connection} now carries an authenticated WebSocket or bridge socket: it gives back its
   * place and is no longer timed here. Call on this server's context.
   */
  public void authenticated(HttpConnection connection) {
    Tracked t = tracked.remove(connection);
    if (t != null) {
      t.place.release();
    }
  }

  /** Connections of this server still timed (for tests and logs). */
  int tracked() {
    return tracked.size();
  }

  private void accepted(HttpConnection conn) {
    Channel socket = Channels.channel(conn);
    Channel listener = socket == null ? null : Channels.listener(socket);
    if (listener != null) {
      watch(listener);
    }
    // Counted by the listener's gate when it saw this socket, else (the gate not yet in place, or
    // no listener to reach) here.
    PendingHandshakes.Place place = listener != null ? AcceptGate.placeOf(socket) : null;
    if (place == null) {
      place = pending.tryAcquire();
    }
    if (place == null) {
      // Refused before anything is read: no request exists to answer, and a flood must cost nothing.
      LOG.atDebug().addKeyValue("nodeId", nodeId).addKeyValue("remote", String.valueOf(conn.remoteAddress()))
          .log("socket refused: pending handshake limit");
      conn.close();
      return;
    }
    Tracked t = new Tracked(conn, place, System.nanoTime());
    tracked.put(conn, t);
    PendingHandshakes.Place held = place;
    conn.closeHandler(v -> {
      tracked.remove(conn);
      held.release();
    });
  }

  /**
   * From its first accepted connection on, a listening socket counts its sockets as it accepts
   * them and stops accepting while every pending place is taken ({@link AcceptGate}); a listener
   * Vert.x shares between gateway instances is one socket, gated once.
   */
  private void watch(Channel listener) {
    AcceptGate gate = new AcceptGate(listener, pending);
    if (listener.isOpen() && pending.watch(gate)) {
      gate.install();
      listener.closeFuture().addListener(f -> pending.forget(gate));
    }
  }

  private void tick(long now) {
    if (tracked.isEmpty()) {
      return;
    }
    // Most ticks expire nothing: collect the few that do instead of copying every tracked entry.
    List<Due> due = null;
    for (Tracked t : tracked.values()) {
      String reason = t.expired(now, settings);
      if (reason != null) {
        (due == null ? due = new ArrayList<>() : due).add(new Due(t, reason));
      }
    }
    if (due == null) {
      return;
    }
    for (Due d : due) {
      Tracked t = d.tracked();
      String reason = d.reason();
      tracked.remove(t.conn);
      t.place.release();
      pending.timedOut(reason);
      LOG.atDebug().addKeyValue("nodeId", nodeId).addKeyValue("remote", String.valueOf(t.conn.remoteAddress()))
          .addKeyValue("reason", reason).log("pending socket closed");
      if (MetricNames.TIMEOUT_IDLE.equals(reason)) {
        t.conn.close();
      } else if (!Channels.abort(t.conn)) {
        // A reset: a socket that is half way through a request (or an upgrade) has nothing to finish.
        t.conn.close();
      }
    }
  }

  /** A connection past its deadline, and why. */
  private record Due(Tracked tracked, String reason) {}

  /** One connection's progress, on this server's context. */
  static final class Tracked {
    final HttpConnection conn;
    final PendingHandshakes.Place place;
    /** When the current wait started: accept, the previous response's end, or this request's headers. */
    long phaseStart;
    /** The request in flight, or null between requests. */
    HttpServerRequest current;
    /** True once a response has ended: waits between requests are then idle waits. */
    boolean served;

    Tracked(HttpConnection conn, PendingHandshakes.Place place, long now) {
      this.conn = conn;
      this.place = place;
      this.phaseStart = now;
    }

    void request(HttpServerRequest req, long now) {
      // A request after another means the other was answered (HTTP/1.1 serves them in turn).
      if (current != null || served) {
        served = true;
        phaseStart = now;
      }
      current = req;
    }

    /** The timeout reason when this connection is past its deadline at {@code now}, else null. */
    String expired(long now, Settings s) {
      boolean upgrade = current != null && "websocket".equalsIgnoreCase(current.getHeader(HttpHeaders.UPGRADE));
      // Vert.x marks the response of a completed upgrade as written (101); that connection is a
      // WebSocket waiting to authenticate (the bridge's), not an answered request.
      boolean upgraded = upgrade && current.response().getStatusCode() == 101;
      if (current != null && !upgraded && (current.response().ended() || current.response().closed())) {
        current = null;
        served = true;
        phaseStart = now;
      }
      long waited = now - phaseStart;
      if (current == null) {
        long limit = TimeUnit.MILLISECONDS.toNanos(served ? s.idleTimeoutMs() : s.handshakeTimeoutMs());
        return waited < limit ? null : served ? MetricNames.TIMEOUT_IDLE : MetricNames.TIMEOUT_HANDSHAKE;
      }
      // A whole request that is not an upgrade waits for the server's answer, not for the client.
      boolean clientsTurn = upgrade || !current.isEnded();
      return clientsTurn && waited >= TimeUnit.MILLISECONDS.toNanos(s.handshakeTimeoutMs())
          ? MetricNames.TIMEOUT_HANDSHAKE : null;
    }
  }
}
