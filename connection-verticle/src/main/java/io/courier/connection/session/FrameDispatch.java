package io.courier.connection.session;

import io.courier.connection.GatewayMetrics;
import io.courier.connection.GatewaySettings;
import io.courier.protocol.ClientFrame;
import io.courier.protocol.ErrorCodes;
import io.courier.protocol.FrameError;
import io.courier.protocol.FrameParser;
import io.courier.protocol.FrameTypes;
import java.util.Map;
import java.util.Set;

/**
 * A client's text frame from its arrival to the one class that handles its type: charged against
 * the connection's rate, checked for size, parsed and counted, then handed on by {@link #ROUTES}.
 */
final class FrameDispatch {
  /** What one frame type does, given the connection's parts. */
  private interface Handler<F extends ClientFrame> {
    void handle(FrameDispatch parts, F frame);
  }

  /** A handler with the frame class it takes, so the frame reaches it through a checked cast. */
  private record Route<F extends ClientFrame>(Class<F> kind, Handler<F> handler) {
    void handle(FrameDispatch parts, ClientFrame frame) {
      handler.handle(parts, kind.cast(frame));
    }
  }

  private static <F extends ClientFrame> Route<F> to(Class<F> kind, Handler<F> handler) {
    return new Route<>(kind, handler);
  }

  /** Every client frame type and where it goes. */
  private static final Map<String, Route<?>> ROUTES = Map.of(
      FrameTypes.SEND, to(ClientFrame.Send.class, (p, f) -> p.sends.send(f)),
      FrameTypes.JOIN, to(ClientFrame.Join.class, (p, f) -> p.rooms.join(f)),
      FrameTypes.LEAVE, to(ClientFrame.Leave.class, (p, f) -> p.rooms.leave(f)),
      FrameTypes.ACK, to(ClientFrame.Ack.class, (p, f) -> p.inbox.ack(f)),
      FrameTypes.SYNC, to(ClientFrame.Sync.class, (p, f) -> p.inbox.sync(f)),
      FrameTypes.PRESENCE, to(ClientFrame.Users.class, (p, f) -> p.presence.query(f)),
      FrameTypes.WATCH, to(ClientFrame.Users.class, (p, f) -> p.presence.watch(f)),
      FrameTypes.UNWATCH, to(ClientFrame.Users.class, (p, f) -> p.presence.unwatch(f)),
      FrameTypes.REFRESH, to(ClientFrame.Refresh.class, (p, f) -> p.refresh.refresh(f)),
      FrameTypes.PING, to(ClientFrame.Ping.class, (p, f) -> p.liveness.ping(f)));

  private final Session session;
  private final GatewaySettings settings;
  private final GatewayMetrics metrics;
  private final SendPipeline sends;
  private final RoomRequests rooms;
  private final InboxRequests inbox;
  private final PresenceRequests presence;
  private final TokenRefresh refresh;
  private final Liveness liveness;

  FrameDispatch(Session session, GatewaySettings settings, GatewayMetrics metrics, SendPipeline sends,
                RoomRequests rooms, InboxRequests inbox, PresenceRequests presence, TokenRefresh refresh,
                Liveness liveness) {
    this.session = session;
    this.settings = settings;
    this.metrics = metrics;
    this.sends = sends;
    this.rooms = rooms;
    this.inbox = inbox;
    this.presence = presence;
    this.refresh = refresh;
    this.liveness = liveness;
  }

  /** {@code charge} false: a frame the bridge built from an envelope it has charged already. */
  void receive(String text, boolean charge) {
    liveness.touch();
    int bytes = Session.utf8Length(text);
    if (charge && !session.admit(bytes)) {
      // Parsed only to find the ref to echo; the frame itself is not acted on.
      String ref = bytes <= settings.maxFrameBytes() ? refOf(FrameParser.parse(text, settings.jsonLimits())) : null;
      session.writeError(ErrorCodes.RATE_LIMITED, "too many frames or bytes per second; slow down", ref);
      session.strike();
      return;
    }
    if (bytes > settings.maxFrameBytes()) {
      metrics.frameRefused(GatewayMetrics.REFUSED_TOO_LARGE);
      session.writeError(ErrorCodes.TOO_LARGE, "frame exceeds " + settings.maxFrameBytes() + " bytes", null);
      return;
    }
    FrameParser.Result r = FrameParser.parse(text, settings.jsonLimits());
    if (!r.ok()) {
      metrics.frameIn("invalid");
      metrics.frameRefused(GatewayMetrics.REFUSED_BAD_FRAME);
      FrameError e = r.error();
      session.writeError(e.code(), e.message(), e.ref());
      return;
    }
    ClientFrame f = r.frame();
    String type = f.type();
    metrics.frameIn(type);
    Route<?> route = ROUTES.get(type);
    if (route == null) {
      session.writeError(ErrorCodes.BAD_FRAME, "unsupported frame type '" + type + "'", f.ref());
      return;
    }
    route.handle(this, f);
  }

  /** The frame types that have a route. */
  static Set<String> routedTypes() {
    return ROUTES.keySet();
  }

  private static String refOf(FrameParser.Result r) {
    return r.ok() ? r.frame().ref() : r.error().ref();
  }
}
