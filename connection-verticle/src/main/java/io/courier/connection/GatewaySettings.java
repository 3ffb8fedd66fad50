package io.courier.connection;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;

/** The gateway's settings, read once from the node's config. */
record GatewaySettings(int maxFrameBytes, long heartbeatMs, long idleTimeoutMs, long retransmitInitialMs,
                       long retransmitMaxMs, int maxUnacked, long gapWaitMs, int syncPage, long busTimeoutMs,
                       long tokenExpiringMs, long leewayMs, int maxPendingSends) {

  static GatewaySettings from(CourierConfig c) {
    int syncPage = c.getInt(ConfigKeys.SYNC_PAGE);
    if (syncPage < 1 || syncPage > 1000) {
      throw new IllegalArgumentException(ConfigKeys.SYNC_PAGE.env() + " must be 1-1000, got " + syncPage);
    }
    return new GatewaySettings(
        c.getInt(ConfigKeys.MAX_FRAME_BYTES),
        c.getLong(ConfigKeys.HEARTBEAT_MS),
        c.getLong(ConfigKeys.IDLE_TIMEOUT_MS),
        c.getLong(ConfigKeys.RETRANSMIT_INITIAL_MS),
        c.getLong(ConfigKeys.RETRANSMIT_MAX_MS),
        c.getInt(ConfigKeys.MAX_UNACKED),
        c.getLong(ConfigKeys.GAP_WAIT_MS),
        c.getInt(ConfigKeys.SYNC_PAGE),
        c.getLong(ConfigKeys.BUS_TIMEOUT_MS),
        c.getLong(ConfigKeys.TOKEN_EXPIRING_MS),
        c.getLong(ConfigKeys.JWT_LEEWAY_S) * 1000,
        c.getInt(ConfigKeys.MAX_PENDING_SENDS));
  }

  /** How often each gateway instance checks its connections for pings, idleness, retransmits, expiry. */
  long tickMs() {
    long t = Math.min(1000, Math.min(heartbeatMs / 2, retransmitInitialMs / 2));
    return Math.max(20, t);
  }
}
