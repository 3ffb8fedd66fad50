package io.courier.loadgen;

import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;

/**
 * The load generator's own CPU time over a run's traffic (warm-up, window and drain; not the
 * connect), and per message handled: with it a run shows whether the generator, rather than the
 * server, was near the end of its core.
 */
final class LoadCpu {
  private LoadCpu() {}

  /** CPU time of every thread of this process, or -1 where the JVM does not tell. */
  static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }

  /** Two processes' figures as one: CPU and messages add up (unknown CPU stays unknown). */
  static JsonObject merge(JsonObject a, JsonObject b) {
    long messages = a.getLong("messages", 0L) + b.getLong("messages", 0L);
    Long ca = a.getLong("cpuMs");
    Long cb = b.getLong("cpuMs");
    return toJson(ca == null || cb == null ? -1 : (ca + cb) * 1_000_000, messages);
  }

  /** {@code cpuMs} and {@code cpuMicrosPerMessage} over the messages sent in the window and the warm-up. */
  static JsonObject toJson(long cpuNanos, Fleet fleet) {
    return toJson(cpuNanos, fleet.delivery.sent.sum() + (fleet.phases.warmup == null ? 0 : fleet.phases.warmup.sent.sum()));
  }

  private static JsonObject toJson(long cpuNanos, long messages) {
    JsonObject j = new JsonObject().put("messages", messages);
    if (cpuNanos < 0) {
      return j.putNull("cpuMs").putNull("cpuMicrosPerMessage");
    }
    return j.put("cpuMs", cpuNanos / 1_000_000)
        .put("cpuMicrosPerMessage", messages == 0 ? null : Math.round(cpuNanos / 1e3 / messages * 100) / 100.0);
  }
}
