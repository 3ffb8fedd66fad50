package io.courier.connection.session;

import io.courier.connection.GatewayMetrics;
import io.courier.connection.GatewaySettings;
import io.courier.connection.transport.Transport;
import io.courier.protocol.ClientFrame;
import io.courier.protocol.CloseCodes;
import io.courier.protocol.ServerFrames;

/**
 * Whether the client is still there: anything it sends counts as activity; the server pings it
 * every heartbeat, answers its {@code ping} frames, and closes it when it has been silent for the
 * idle timeout.
 */
final class Liveness {
  private final Session session;
  private final Transport transport;
  private final GatewaySettings settings;
  private final GatewayMetrics metrics;
  private long lastActivity;
  private long lastPing;

  Liveness(Session session, Transport transport, GatewaySettings settings, GatewayMetrics metrics, long now) {
    this.session = session;
    this.transport = transport;
    this.settings = settings;
    this.metrics = metrics;
    this.lastActivity = now;
    this.lastPing = now;
  }

  void touch() {
    lastActivity = System.currentTimeMillis();
  }

  void ping(ClientFrame.Ping f) {
    session.write(ServerFrames.pong(f.ref()).encode());
  }

  /** Closes the connection (1001) when the client has been silent too long; true if it did. */
  boolean closeIfIdle(long now) {
    if (now - lastActivity >= settings.idleTimeoutMs()) {
      // Silent for two heartbeats (by default): the client is gone or cut off (a half-open TCP
      // connection never errors on its own). Released now, not after a close handshake that
      // will not come.
      metrics.idleClosed();
      session.close(CloseCodes.GOING_AWAY, "idle timeout", true);
      return true;
    }
    return false;
  }

  /** A transport ping once per heartbeat. */
  void heartbeat(long now) {
    if (now - lastPing >= settings.heartbeatMs()) {
      lastPing = now;
      transport.ping();
    }
  }
}
