package io.courier.cluster;

import com.hazelcast.core.HazelcastInstance;
import io.courier.protocol.MetricNames;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One node's metrics registry. Each node has its own (never Micrometer's JVM-wide default), with
 * the label {@code node=<nodeId>} on every meter, so several nodes in one JVM (tests) never mix
 * their numbers. Vert.x's own meters (HTTP, event bus, JVM) land in the same registry.
 */
public final class NodeMetrics {
  /** Content type of the Prometheus text exposition format. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
  /** How often the event-loop lag probe fires. */
  static final long LAG_PROBE_MS = 500;

  private NodeMetrics() {}

  public static PrometheusMeterRegistry newRegistry(String nodeId) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().commonTags(MetricNames.NODE, nodeId);
    return registry;
  }

  /**
   * Vert.x metrics into {@code registry}. Quantiles are configured per meter, never through
   * {@code VertxPrometheusOptions.setPublishQuantiles} (that turns every timer into a histogram).
   */
  static VertxOptions withMetrics(VertxOptions options, String nodeId) {
    // Vert.x keeps backends by registry name, JVM-wide: under the default name a second node in the
    // same JVM would be handed the first node's registry. A name of its own per start avoids that.
    return new VertxOptions(options).setMetricsOptions(new MicrometerMetricsOptions()
        .setEnabled(true)
        .setRegistryName("courier-" + nodeId + "-" + java.util.UUID.randomUUID())
        .setJvmMetricsEnabled(true)
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true)));
  }

  /** Meters of the node itself: cluster member count and event-loop lag. Call once Vert.x runs. */
  public static void bindNode(Vertx vertx, HazelcastInstance hz, MeterRegistry registry) {
    Gauge.builder(MetricNames.CLUSTER_MEMBERS, hz, h -> h.getLifecycleService().isRunning()
            ? h.getCluster().getMembers().size() : 0)
        .description("Hazelcast members this node sees (itself included)").register(registry);
    startLagProbe(vertx, registry);
  }

  /**
   * Event-loop lag: a timer on an event loop asks to run every {@link #LAG_PROBE_MS}; how late it
   * runs is the time that loop was busy with other work. Each caller's event loop gets its own probe.
   */
  public static void startLagProbe(Vertx vertx, MeterRegistry registry) {
    Timer lag = Timer.builder(MetricNames.EVENT_LOOP_LAG)
        .description("How late a timer on an event loop fires (time the loop was blocked or busy)")
        .publishPercentiles(0.5, 0.99).distributionStatisticExpiry(Duration.ofMinutes(1)).register(registry);
    long[] expected = {System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LAG_PROBE_MS)};
    vertx.setPeriodic(LAG_PROBE_MS, id -> {
      long now = System.nanoTime();
      lag.record(Math.max(0, now - expected[0]), TimeUnit.NANOSECONDS);
      expected[0] = now + TimeUnit.MILLISECONDS.toNanos(LAG_PROBE_MS);
    });
  }
}
