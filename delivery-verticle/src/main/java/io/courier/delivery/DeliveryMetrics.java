package io.courier.delivery;

import io.courier.protocol.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * The delivery verticle's meters: store latency and errors per operation, messages stored. Every
 * instance on a node registers the same meters (Micrometer hands back the existing ones).
 */
final class DeliveryMetrics {
  static final String APPEND = "append";
  static final String READ = "read";
  static final String UNAVAILABLE = "unavailable";
  static final String INTERNAL = "internal";

  private final Timer appendLatency;
  private final Timer readLatency;
  private final Counter stored;
  private final Counter duplicates;
  private final Counter appendUnavailable;
  private final Counter appendInternal;
  private final Counter readUnavailable;
  private final Counter readInternal;

  DeliveryMetrics(MeterRegistry registry) {
    appendLatency = latency(registry, APPEND);
    readLatency = latency(registry, READ);
    stored = Counter.builder(MetricNames.MESSAGES_STORED).description("Sends stored (dup: a resend answered as such)")
        .tag("dup", "false").register(registry);
    duplicates = Counter.builder(MetricNames.MESSAGES_STORED).tag("dup", "true").register(registry);
    appendUnavailable = errors(registry, APPEND, UNAVAILABLE);
    appendInternal = errors(registry, APPEND, INTERNAL);
    readUnavailable = errors(registry, READ, UNAVAILABLE);
    readInternal = errors(registry, READ, INTERNAL);
  }

  private static Timer latency(MeterRegistry registry, String op) {
    return Timer.builder(MetricNames.STORE_LATENCY).description("Message store calls, successful or not")
        .tag(MetricNames.OP, op).publishPercentiles(0.5, 0.95, 0.99)
        .distributionStatisticExpiry(Duration.ofMinutes(1)).register(registry);
  }

  private static Counter errors(MeterRegistry registry, String op, String reason) {
    return Counter.builder(MetricNames.STORE_ERRORS).description("Failed message store calls")
        .tag(MetricNames.OP, op).tag(MetricNames.REASON, reason).register(registry);
  }

  Timer.Sample start() {
    return Timer.start();
  }

  void appended(Timer.Sample sample, boolean dup) {
    sample.stop(appendLatency);
    (dup ? duplicates : stored).increment();
  }

  void read(Timer.Sample sample) {
    sample.stop(readLatency);
  }

  void failed(Timer.Sample sample, String op, boolean unavailable) {
    boolean append = APPEND.equals(op);
    sample.stop(append ? appendLatency : readLatency);
    (append ? (unavailable ? appendUnavailable : appendInternal) : (unavailable ? readUnavailable : readInternal))
        .increment();
  }
}
