package io.courier.connection;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.protocol.JsonLimits;
import io.courier.protocol.Setting;

/** The gateway's settings, read once from the node's config and checked. */
public record GatewaySettings(int maxFrameBytes, long heartbeatMs, long idleTimeoutMs, long retransmitInitialMs,
                       long retransmitMaxMs, int maxUnacked, long gapWaitMs, int syncPage, long busTimeoutMs,
                       long tokenExpiringMs, long leewayMs, int maxPendingSends, long closeTimeoutMs,
                       long maxOutboundBytes, int maxOutboundFrames, int tcpSendBufferBytes, Rates rates,
                       UserSends userSends, JsonLimits jsonLimits, int maxConnections, int maxPerUser,
                       long healthTimeoutMs, long presenceLeaseMs, long presenceReconcileMs,
                       long drainGraceMs) {

  /** Per-connection inbound limits; a rate of 0 turns its bucket off, {@code strikes} 0 never closes. */
  public record Rates(double framesPerS, double framesBurst, double bytesPerS, double bytesBurst, int strikes,
               long strikeWindowMs) {}

  /** The cluster-wide per-user send limit; {@code ratePerS} 0 turns it off. */
  record UserSends(double ratePerS, double burst, int lease) {
    boolean enabled() {
      return ratePerS > 0;
    }
  }

  /** Largest COURIER_MAX_FRAME_BYTES: the transport reads up to four times it into memory. */
  static final int MAX_FRAME_LIMIT = 64 << 20;

  public static GatewaySettings from(CourierConfig c) {
    int syncPage = c.getInt(ConfigKeys.SYNC_PAGE);
    if (syncPage < 1 || syncPage > 1000) {
      throw new IllegalArgumentException(ConfigKeys.SYNC_PAGE.env() + " must be 1-1000, got " + syncPage);
    }
    int maxFrameBytes = intAtLeast(c, ConfigKeys.MAX_FRAME_BYTES, 64);
    if (maxFrameBytes > MAX_FRAME_LIMIT) {
      throw new IllegalArgumentException(ConfigKeys.MAX_FRAME_BYTES.env() + " must be at most " + MAX_FRAME_LIMIT
          + ", got " + maxFrameBytes);
    }
    long heartbeatMs = atLeast(c, ConfigKeys.HEARTBEAT_MS, 10);
    long idle = atLeast(c, ConfigKeys.IDLE_TIMEOUT_MS, 0);
    // Two heartbeat intervals: a client that vanished without closing is noticed within them.
    long idleTimeoutMs = idle == 0 ? 2 * heartbeatMs : idle;
    Rates rates = new Rates(rate(c, ConfigKeys.CONN_FRAMES_PER_S), burst(c, ConfigKeys.CONN_FRAMES_BURST),
        rate(c, ConfigKeys.CONN_BYTES_PER_S), burst(c, ConfigKeys.CONN_BYTES_BURST),
        intAtLeast(c, ConfigKeys.RATE_STRIKES, 0), atLeast(c, ConfigKeys.RATE_STRIKE_WINDOW_MS, 1));
    if (rates.bytesPerS() > 0 && rates.bytesBurst() < maxFrameBytes) {
      throw new IllegalArgumentException(ConfigKeys.CONN_BYTES_BURST.env() + " must be at least "
          + ConfigKeys.MAX_FRAME_BYTES.env() + " (" + maxFrameBytes + "), got " + (long) rates.bytesBurst());
    }
    UserSends userSends = new UserSends(rate(c, ConfigKeys.USER_SENDS_PER_S), burst(c, ConfigKeys.USER_SENDS_BURST),
        intAtLeast(c, ConfigKeys.USER_SENDS_LEASE, 1));
    if (userSends.lease() > userSends.burst()) {
      throw new IllegalArgumentException(ConfigKeys.USER_SENDS_LEASE.env() + " must not exceed "
          + ConfigKeys.USER_SENDS_BURST.env() + ", got " + userSends.lease());
    }
    return new GatewaySettings(
        maxFrameBytes,
        heartbeatMs,
        idleTimeoutMs,
        c.getLong(ConfigKeys.RETRANSMIT_INITIAL_MS),
        c.getLong(ConfigKeys.RETRANSMIT_MAX_MS),
        c.getInt(ConfigKeys.MAX_UNACKED),
        c.getLong(ConfigKeys.GAP_WAIT_MS),
        syncPage,
        c.getLong(ConfigKeys.BUS_TIMEOUT_MS),
        c.getLong(ConfigKeys.TOKEN_EXPIRING_MS),
        c.getLong(ConfigKeys.JWT_LEEWAY_S) * 1000,
        c.getInt(ConfigKeys.MAX_PENDING_SENDS),
        atLeast(c, ConfigKeys.CLOSE_TIMEOUT_MS, 1),
        atLeast(c, ConfigKeys.MAX_OUTBOUND_BYTES, 0),
        intAtLeast(c, ConfigKeys.MAX_OUTBOUND_FRAMES, 0),
        intAtLeast(c, ConfigKeys.TCP_SEND_BUFFER_BYTES, 0),
        rates,
        userSends,
        JsonLimits.from(c),
        (int) floor(c, ConfigKeys.MAX_CONNECTIONS, 1),
        (int) floor(c, ConfigKeys.MAX_CONNECTIONS_PER_USER, 0),
        positive(c, ConfigKeys.HEALTH_TIMEOUT_MS),
        // A lease renewed every third of it needs at least three milliseconds.
        floor(c, ConfigKeys.PRESENCE_LEASE_MS, 3),
        floor(c, ConfigKeys.PRESENCE_RECONCILE_MS, 0),
        floor(c, ConfigKeys.DRAIN_GRACE_MS, 0));
  }

  /** The node's messages for these settings (">= min"), which operators and tests already know. */
  private static long floor(CourierConfig c, Setting s, long min) {
    long v = c.getLong(s);
    if (v < min) {
      throw new IllegalArgumentException(s.env() + " must be >= " + min + ", got " + v);
    }
    return v;
  }

  private static long positive(CourierConfig c, Setting s) {
    long v = c.getLong(s);
    if (v <= 0) {
      throw new IllegalArgumentException(s.env() + " must be > 0, got " + v);
    }
    return v;
  }

  private static long atLeast(CourierConfig c, Setting s, long min) {
    long v = c.getLong(s);
    if (v < min) {
      throw new IllegalArgumentException(s.env() + " must be at least " + min + ", got " + v);
    }
    return v;
  }

  private static int intAtLeast(CourierConfig c, Setting s, int min) {
    long v = atLeast(c, s, min);
    if (v > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(s.env() + " must be at most " + Integer.MAX_VALUE + ", got " + v);
    }
    return (int) v;
  }

  /** True when idle connections that only answer pings would be closed between two pings. */
  boolean idleShorterThanHeartbeat() {
    return idleTimeoutMs < heartbeatMs;
  }

  private static double rate(CourierConfig c, Setting s) {
    double v = c.getDouble(s);
    if (v < 0) {
      throw new IllegalArgumentException(s.env() + " must be >= 0 (0: no limit), got " + v);
    }
    return v;
  }

  private static double burst(CourierConfig c, Setting s) {
    double v = c.getDouble(s);
    if (v < 1) {
      throw new IllegalArgumentException(s.env() + " must be >= 1, got " + v);
    }
    return v;
  }

  /**
   * The largest message the transport reads whole: max(4x the frame limit, limit + 1 KiB), so a
   * merely large frame gets a too_large error frame; past it the connection is closed with 1009.
   */
  int transportLimit() {
    return Math.max(maxFrameBytes * 4, maxFrameBytes + 1024);
  }

  /**
   * How often each gateway instance checks its connections for pings, idleness, retransmits and
   * expiry: at most a quarter heartbeat, so a silent client is closed at most that late.
   */
  public long tickMs() {
    long t = Math.min(1000, Math.min(heartbeatMs / 4, retransmitInitialMs / 2));
    return Math.max(20, t);
  }
}
