package io.courier.delivery.store;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;

/**
 * The store-related settings, read once. A value of 0 or less switches the limit off: no dedupe
 * record, no count limit, no age limit, no byte limit, no memory budget.
 *
 * @param opTimeoutMs     how long one store call may take before it fails as unavailable; half the
 *                        inter-verticle timeout, so the caller still has time to answer the client
 * @param maxBytes        body bytes (UTF-8) kept per inbox ({@code COURIER_RETENTION_MAX_BYTES})
 * @param maxHeapFraction share of the max heap the Hazelcast store's replicas may take in one JVM
 *                        ({@code COURIER_STORE_MAX_HEAP_FRACTION})
 */
public record StoreSettings(long dedupeWindowMs, long maxMessages, long maxAgeMs, long opTimeoutMs, long maxBytes,
                            double maxHeapFraction) {

  /** Without a byte limit and without a memory budget. */
  public StoreSettings(long dedupeWindowMs, long maxMessages, long maxAgeMs, long opTimeoutMs) {
    this(dedupeWindowMs, maxMessages, maxAgeMs, opTimeoutMs, 0, 0);
  }

  public static StoreSettings from(CourierConfig cfg) {
    return new StoreSettings(
        cfg.getLong(ConfigKeys.DEDUPE_WINDOW_MS),
        cfg.getLong(ConfigKeys.RETENTION_MAX_MESSAGES),
        cfg.getLong(ConfigKeys.RETENTION_MAX_AGE_MS),
        Math.max(1000, cfg.getLong(ConfigKeys.BUS_TIMEOUT_MS) / 2),
        cfg.getLong(ConfigKeys.RETENTION_MAX_BYTES),
        cfg.getDouble(ConfigKeys.STORE_MAX_HEAP_FRACTION));
  }

  /** Messages with a ts before this are expired; {@link Long#MIN_VALUE} when there is no age limit. */
  public long ageCutoff(long now) {
    return maxAgeMs > 0 ? now - maxAgeMs : Long.MIN_VALUE;
  }
}
