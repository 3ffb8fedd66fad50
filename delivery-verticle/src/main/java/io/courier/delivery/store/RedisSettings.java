package io.courier.delivery.store;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.protocol.Setting;

/**
 * The Redis connection settings of one delivery verticle, read and checked once.
 *
 * @param url         where Redis is
 * @param connections pipelined connections kept open
 * @param maxInFlight commands one connection carries at once
 */
public record RedisSettings(String url, int connections, int maxInFlight) {
  public static final int MAX_CONNECTIONS = 64;
  public static final int MAX_IN_FLIGHT = 65_536;

  public static RedisSettings from(CourierConfig cfg) {
    return new RedisSettings(cfg.get(ConfigKeys.REDIS_URL),
        within(cfg, ConfigKeys.REDIS_POOL, MAX_CONNECTIONS),
        within(cfg, ConfigKeys.REDIS_MAX_IN_FLIGHT, MAX_IN_FLIGHT));
  }

  /** With the URL's password as {@code ***}, should a record ever be printed. */
  @Override
  public String toString() {
    return "RedisSettings[url=" + io.courier.cluster.RedisEndpoint.redacted(url) + ", connections=" + connections
        + ", maxInFlight=" + maxInFlight + "]";
  }

  private static int within(CourierConfig cfg, Setting s, int max) {
    long v = cfg.getLong(s);
    if (v < 1 || v > max) {
      throw new IllegalArgumentException(s.env() + " must be 1-" + max + ", got " + v);
    }
    return (int) v;
  }
}
