package io.courier.delivery;

import io.courier.delivery.store.hazelcast.StoreMemory;
import io.courier.protocol.ErrorCodes;
import io.courier.protocol.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
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
  /** An append refused by admission control because the store is behind ({@link SendAdmission}). */
  static final String BEHIND = "behind";
  static final String JOIN = "join";
  static final String LEAVE = "leave";

  private final Timer appendLatency;
  private final Timer readLatency;
  private final Counter stored;
  private final Counter duplicates;
  private final Counter appendUnavailable;
  private final Counter appendInternal;
  private final Counter appendOverloaded;
  private final Counter appendBehind;
  private final Counter readUnavailable;
  private final Counter readInternal;
  private final MeterRegistry registry;
  private final Counter roomSendsOk;
  private final Counter roomSendsDup;
  private final Counter roomSendsForbidden;
  private final Counter roomSendsFailed;
  private final Counter fanoutFresh;
  private final Counter fanoutDup;
  private final Timer fanoutLatency;

  DeliveryMetrics(MeterRegistry registry) {
    this.registry = registry;
    roomSendsOk = roomSends(registry, "ok");
    roomSendsDup = roomSends(registry, "dup");
    roomSendsForbidden = roomSends(registry, "forbidden");
    roomSendsFailed = roomSends(registry, "failed");
    fanoutFresh = Counter.builder(MetricNames.FANOUT_RECIPIENTS)
        .description("Member inbox copies written by room sends (dup: already there from an earlier attempt)")
        .tag("dup", "false").register(registry);
    fanoutDup = Counter.builder(MetricNames.FANOUT_RECIPIENTS).tag("dup", "true").register(registry);
    fanoutLatency = Timer.builder(MetricNames.FANOUT_LATENCY)
        .description("Room sends from the membership read until every copy is stored and its push handed to the bus")
        .publishPercentiles(0.5, 0.95, 0.99).distributionStatisticExpiry(Duration.ofMinutes(1)).register(registry);
    membership(JOIN, "ok", 0);
    membership(LEAVE, "ok", 0);
    appendLatency = latency(registry, APPEND);
    readLatency = latency(registry, READ);
    stored = Counter.builder(MetricNames.MESSAGES_STORED).description("Sends stored (dup: a resend answered as such)")
        .tag("dup", "false").register(registry);
    duplicates = Counter.builder(MetricNames.MESSAGES_STORED).tag("dup", "true").register(registry);
    appendUnavailable = errors(registry, APPEND, UNAVAILABLE);
    appendInternal = errors(registry, APPEND, INTERNAL);
    appendOverloaded = errors(registry, APPEND, ErrorCodes.OVERLOADED);
    appendBehind = errors(registry, APPEND, BEHIND);
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

  private static Counter roomSends(MeterRegistry registry, String outcome) {
    return Counter.builder(MetricNames.ROOM_SENDS).description("Room sends by outcome")
        .tag(MetricNames.OUTCOME, outcome).register(registry);
  }

  /** A join or leave and how it ended (ok, present, absent, full, failed). */
  void membership(String op, String outcome) {
    membership(op, outcome, 1);
  }

  private void membership(String op, String outcome, double n) {
    Counter.builder(MetricNames.ROOM_MEMBERSHIP).description("Room joins and leaves by outcome")
        .tag(MetricNames.OP, op).tag(MetricNames.OUTCOME, outcome).register(registry).increment(n);
  }

  /** A room send whose copies are all stored: how many were new, how many already there. */
  void fanout(Timer.Sample sample, int fresh, int dups, boolean dup) {
    sample.stop(fanoutLatency);
    fanoutFresh.increment(fresh);
    fanoutDup.increment(dups);
    (dup ? roomSendsDup : roomSendsOk).increment();
  }

  void fanoutFailed(Timer.Sample sample) {
    sample.stop(fanoutLatency);
    roomSendsFailed.increment();
  }

  /** A room send that waited past its caller's deadline and was not started. */
  void fanoutExpired() {
    roomSendsFailed.increment();
  }

  void roomSendForbidden() {
    roomSendsForbidden.increment();
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

  /** An append refused by the store's memory budget. */
  void overloaded(Timer.Sample sample) {
    sample.stop(appendLatency);
    appendOverloaded.increment();
  }

  /** An append refused before reaching the store, which is behind ({@link SendAdmission}). */
  void behind(Timer.Sample sample) {
    sample.stop(appendLatency);
    appendBehind.increment();
  }

  /** The Hazelcast store's memory estimate for this JVM and its budget ({@code fraction} of its capacity). */
  void storeMemory(double fraction) {
    Gauge.builder(MetricNames.STORE_MEMORY_USED, StoreMemory::used).baseUnit("bytes")
        .description("Estimated heap held by the Hazelcast store's inbox replicas in this JVM").register(registry);
    Gauge.builder(MetricNames.STORE_MEMORY_BUDGET, () -> StoreMemory.budget(fraction)).baseUnit("bytes")
        .description("Store memory past which sends are refused as overloaded (0: no budget)").register(registry);
  }

  void failed(Timer.Sample sample, String op, boolean unavailable) {
    boolean append = APPEND.equals(op);
    sample.stop(append ? appendLatency : readLatency);
    (append ? (unavailable ? appendUnavailable : appendInternal) : (unavailable ? readUnavailable : readInternal))
        .increment();
  }
}
