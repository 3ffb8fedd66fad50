package io.courier.connection;

import io.courier.connection.auth.TokenVerifier;
import io.courier.connection.session.Sessions;
import io.courier.protocol.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The gateway's meters, shared by a node's gateway instances (each on its own event loop, so
 * everything here is thread-safe). Labels hold bounded values only: close codes, frame types,
 * refusal reasons; never a user id. Names: {@link MetricNames}; meaning: docs/operations.md.
 */
public final class GatewayMetrics {
  /** Handshake refusals and auth failures with these reasons exist (at 0) from the start. */
  static final String[] AUTH_REASONS = {"missing", "malformed", "claims", "expired", "bad_signature", "invalid",
      "algorithm", "unknown_key", "lifetime", "revoked", TokenVerifier.AUDIENCE, TokenVerifier.ISSUER,
      TokenVerifier.RESERVED_SUBJECT};
  static final String[] REFUSAL_REASONS = {"limit", "draining", "origin", "upgrade", "auth", "revoked", "user_limit",
      "unavailable"};
  /** Reasons of {@link MetricNames#FRAMES_REFUSED}. */
  public static final String REFUSED_TOO_LARGE = "too_large";
  public static final String REFUSED_BAD_FRAME = "bad_frame";
  public static final String REFUSED_BINARY = "binary";
  public static final String REFUSED_INVALID_UTF8 = "invalid_utf8";
  public static final String REFUSED_MESSAGE_TOO_LARGE = "message_too_large";
  public static final String REFUSED_PROTOCOL = "protocol";
  static final String[] FRAME_REFUSALS = {REFUSED_TOO_LARGE, REFUSED_BAD_FRAME, REFUSED_BINARY, REFUSED_INVALID_UTF8,
      REFUSED_MESSAGE_TOO_LARGE, REFUSED_PROTOCOL};
  static final String[] RATE_LIMITS = {MetricNames.LIMIT_FRAMES, MetricNames.LIMIT_BYTES, MetricNames.LIMIT_USER_SENDS,
      MetricNames.LIMIT_PENDING_SENDS};
  private static final double[] QUANTILES = {0.5, 0.95, 0.99};

  private final MeterRegistry registry;
  private final Counter opened;
  private final Counter reconnects;
  private final Counter retransmits;
  private final Counter syncs;
  private final Counter syncsTruncated;
  private final Counter rollbacksSync;
  private final Counter rollbacksLive;
  private final Counter revokedCloses;
  private final Map<String, Counter> revocations = new ConcurrentHashMap<>();
  private final Counter rateLimitCloses;
  private final Counter userLeases;
  private final Counter idleCloses;
  private final AtomicLong outboundBytes = new AtomicLong();
  private final AtomicLong outboundFrames = new AtomicLong();
  private final AtomicLong pendingSends = new AtomicLong();
  private final Map<String, Counter> slowConsumerCloses = new ConcurrentHashMap<>();
  private final Map<String, Counter> rateLimited = new ConcurrentHashMap<>();
  private final Map<String, Counter> framesRefused = new ConcurrentHashMap<>();
  private final Timer duration;
  private final Timer delivered;
  private final Timer acked;
  private final Timer routing;
  private final AtomicLong unacked = new AtomicLong();
  private final Map<String, Counter> closed = new ConcurrentHashMap<>();
  private final Map<String, Counter> framesIn = new ConcurrentHashMap<>();
  private final Map<String, Counter> framesOut = new ConcurrentHashMap<>();
  private final Map<String, Counter> refused = new ConcurrentHashMap<>();
  private final Map<String, Counter> authFailures = new ConcurrentHashMap<>();

  public GatewayMetrics(MeterRegistry registry, Sessions sessions, int connectionLimit) {
    this.registry = registry;
    Gauge.builder(MetricNames.CONNECTIONS, sessions, Sessions::size)
        .description("Open WebSocket connections on this node").register(registry);
    Gauge.builder(MetricNames.CONNECTION_LIMIT, () -> connectionLimit)
        .description("COURIER_MAX_CONNECTIONS of this node").register(registry);
    Gauge.builder(MetricNames.CONNECTION_CAPACITY_RATIO, sessions, s -> (double) s.size() / connectionLimit)
        .description("Open connections / COURIER_MAX_CONNECTIONS: what autoscaling follows").register(registry);
    Gauge.builder(MetricNames.UNACKED, unacked, AtomicLong::get)
        .description("Live messages written and not yet acked, over all connections").register(registry);
    opened = Counter.builder(MetricNames.CONNECTIONS_OPENED).description("Connections upgraded and opened")
        .register(registry);
    reconnects = Counter.builder(MetricNames.RECONNECTS)
        .description("Connections that resumed a previous session (first sync with after > 0)").register(registry);
    retransmits = Counter.builder(MetricNames.RETRANSMITS).description("Live messages written again, not acked in time")
        .register(registry);
    syncs = Counter.builder(MetricNames.SYNCS).description("sync replays answered with synced").register(registry);
    syncsTruncated = Counter.builder(MetricNames.SYNCS_TRUNCATED)
        .description("synced with truncated:true: the client missed messages retention had dropped")
        .register(registry);
    rollbacksSync = rollbacks(MetricNames.DETECTED_SYNC);
    rollbacksLive = rollbacks(MetricNames.DETECTED_LIVE);
    revokedCloses = Counter.builder(MetricNames.REVOKED_CLOSES)
        .description("Connections closed with 4003 because their token was revoked").register(registry);
    for (String kind : new String[] {MetricNames.KIND_USER, MetricNames.KIND_JTI}) {
      revocations.put(kind, Counter.builder(MetricNames.REVOCATIONS)
          .description("Revocations accepted by this node's admin endpoint, by kind").tag(MetricNames.KIND, kind)
          .register(registry));
    }
    rateLimitCloses = Counter.builder(MetricNames.RATE_LIMIT_CLOSES)
        .description("Connections closed with 1008 after COURIER_RATE_STRIKES rate_limited answers").register(registry);
    userLeases = Counter.builder(MetricNames.USER_RATE_LEASES)
        .description("Token leases taken from the cluster-wide per-user send buckets (one cluster call each)")
        .register(registry);
    idleCloses = Counter.builder(MetricNames.IDLE_CLOSES)
        .description("Connections closed with 1001 after COURIER_IDLE_TIMEOUT_MS of silence (dead or half-open clients)")
        .register(registry);
    Gauge.builder(MetricNames.OUTBOUND_QUEUED_BYTES, outboundBytes, AtomicLong::get)
        .description("Bytes of server frames queued in this node for clients, not yet taken by the kernel")
        .register(registry);
    Gauge.builder(MetricNames.OUTBOUND_QUEUED_FRAMES, outboundFrames, AtomicLong::get)
        .description("Server frames queued in this node for clients, not yet taken by the kernel").register(registry);
    Gauge.builder(MetricNames.PENDING_SENDS, pendingSends, AtomicLong::get)
        .description("Sends received and not yet answered (waiting for a lease or the store)").register(registry);
    duration = Timer.builder(MetricNames.CONNECTION_DURATION).description("Lifetime of closed connections")
        .serviceLevelObjectives(Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofMinutes(1),
            Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofHours(1), Duration.ofHours(4),
            Duration.ofHours(12), Duration.ofHours(24))
        .register(registry);
    delivered = latency(MetricNames.STAGE_DELIVERED);
    acked = latency(MetricNames.STAGE_ACKED);
    routing = Timer.builder(MetricNames.ROUTING_LATENCY)
        .description("From the delivery verticle's push to this node's inbox (clocks of two nodes)")
        .publishPercentiles(QUANTILES).distributionStatisticExpiry(Duration.ofMinutes(1)).register(registry);
    for (String r : AUTH_REASONS) {
      authFailure(r, 0);
    }
    for (String r : REFUSAL_REASONS) {
      refused(r, 0);
    }
    for (String r : FRAME_REFUSALS) {
      framesRefused(r).increment(0);
    }
    for (String l : RATE_LIMITS) {
      rateLimited(l, 0);
    }
    for (String r : new String[] {MetricNames.SLOW_UNACKED, MetricNames.SLOW_OUTBOUND}) {
      slowConsumer(r).increment(0);
    }
  }

  private Timer latency(String stage) {
    return Timer.builder(MetricNames.DELIVERY_LATENCY)
        .description("From the store accepting a message to its live write (delivered) and to its ack (acked)")
        .tag(MetricNames.STAGE, stage).publishPercentiles(QUANTILES)
        .distributionStatisticExpiry(Duration.ofMinutes(1)).register(registry);
  }

  public void opened() {
    opened.increment();
  }

  public void closed(Short code, long durationMs) {
    String c = code == null ? "none" : String.valueOf(code);
    closed.computeIfAbsent(c, k -> Counter.builder(MetricNames.CONNECTIONS_CLOSED)
        .description("Connections closed, by close code").tag(MetricNames.CODE, k).register(registry)).increment();
    duration.record(Math.max(0, durationMs), TimeUnit.MILLISECONDS);
  }

  public void refused(String reason) {
    refused(reason, 1);
  }

  private void refused(String reason, int n) {
    refused.computeIfAbsent(reason, k -> Counter.builder(MetricNames.HANDSHAKES_REFUSED)
        .description("Handshakes refused before the upgrade, by reason").tag(MetricNames.REASON, k)
        .register(registry)).increment(n);
  }

  public void authFailure(String reason) {
    authFailure(reason, 1);
  }

  private void authFailure(String reason, int n) {
    authFailures.computeIfAbsent(reason, k -> Counter.builder(MetricNames.AUTH_FAILURES)
        .description("Tokens refused (handshake, admin endpoints), by reason").tag(MetricNames.REASON, k)
        .register(registry)).increment(n);
  }

  public void reconnect() {
    reconnects.increment();
  }

  public void frameIn(String type) {
    framesIn.computeIfAbsent(type, k -> Counter.builder(MetricNames.FRAMES_IN)
        .description("Client frames received, by type").tag(MetricNames.TYPE, k).register(registry)).increment();
  }

  public void frameOut(String text) {
    framesOut.computeIfAbsent(typeOf(text), k -> Counter.builder(MetricNames.FRAMES_OUT)
        .description("Frames written to clients, by type").tag(MetricNames.TYPE, k).register(registry)).increment();
  }

  public void delivered(long acceptedAt, long now) {
    if (acceptedAt > 0) {
      delivered.record(Math.max(0, now - acceptedAt), TimeUnit.MILLISECONDS);
    }
  }

  public void acked(long acceptedAt, long now) {
    if (acceptedAt > 0) {
      acked.record(Math.max(0, now - acceptedAt), TimeUnit.MILLISECONDS);
    }
  }

  public void routed(long sentAt, long now) {
    if (sentAt > 0) {
      routing.record(Math.max(0, now - sentAt), TimeUnit.MILLISECONDS);
    }
  }

  public void retransmitted(int n) {
    retransmits.increment(n);
  }

  public void unackedChanged(long delta) {
    unacked.addAndGet(delta);
  }

  /** A slow consumer cut with 1013: {@code reason} {@link MetricNames#SLOW_UNACKED} or {@link MetricNames#SLOW_OUTBOUND}. */
  public void slowConsumerClosed(String reason) {
    slowConsumer(reason).increment();
  }

  private Counter slowConsumer(String reason) {
    return slowConsumerCloses.computeIfAbsent(reason, k -> Counter.builder(MetricNames.SLOW_CONSUMER_CLOSES)
        .description("Connections closed with 1013 for not keeping up: too many un-acked messages (unacked) or "
            + "a full outbound queue (outbound)").tag(MetricNames.REASON, k).register(registry));
  }

  public void frameRefused(String reason) {
    framesRefused(reason).increment();
  }

  private Counter framesRefused(String reason) {
    return framesRefused.computeIfAbsent(reason, k -> Counter.builder(MetricNames.FRAMES_REFUSED)
        .description("Client frames refused by input checks, by reason").tag(MetricNames.REASON, k).register(registry));
  }

  public void rateLimitClosed() {
    rateLimitCloses.increment();
  }

  void userLease() {
    userLeases.increment();
  }

  public void idleClosed() {
    idleCloses.increment();
  }

  public void outboundChanged(long bytes, int frames) {
    outboundBytes.addAndGet(bytes);
    outboundFrames.addAndGet(frames);
  }

  public void pendingSendsChanged(int delta) {
    pendingSends.addAndGet(delta);
  }

  /** Bytes queued for clients on this node right now (tests, leak checks). */
  public long outboundQueuedBytes() {
    return outboundBytes.get();
  }

  /** Live messages written and not yet acked on this node right now. */
  public long unacked() {
    return unacked.get();
  }

  /** Sends waiting for an answer on this node right now. */
  public long pendingSends() {
    return pendingSends.get();
  }

  private Counter rollbacks(String detectedBy) {
    return Counter.builder(MetricNames.INBOX_ROLLBACKS)
        .description("Inboxes found older than what a client had seen in the same epoch (store went back)")
        .tag(MetricNames.DETECTED_BY, detectedBy).register(registry);
  }

  /** An inbox found rolled back in its epoch, by {@link MetricNames#DETECTED_BY}. */
  public void inboxRolledBack(String detectedBy) {
    (MetricNames.DETECTED_LIVE.equals(detectedBy) ? rollbacksLive : rollbacksSync).increment();
  }

  public void synced(boolean truncated) {
    syncs.increment();
    if (truncated) {
      syncsTruncated.increment();
    }
  }

  /** A rate_limited answer; {@code limit} names the limit ({@link MetricNames#LIMIT_FRAMES}, ...). */
  public void rateLimited(String limit) {
    rateLimited(limit, 1);
  }

  private void rateLimited(String limit, int n) {
    rateLimited.computeIfAbsent(limit, k -> Counter.builder(MetricNames.RATE_LIMITED)
        .description("Frames refused with rate_limited, by the limit that refused them").tag(MetricNames.LIMIT, k)
        .register(registry)).increment(n);
  }

  public void revoked(String kind) {
    Counter c = revocations.get(kind);
    if (c != null) {
      c.increment();
    }
  }

  public void revokedClose() {
    revokedCloses.increment();
  }

  /**
   * The type of a server frame: every one starts with {@code {"type":"..."}} (ServerFrames and
   * InboxMessage put it first). Anything else counts as "other".
   */
  static String typeOf(String frame) {
    String prefix = "{\"type\":\"";
    if (!frame.startsWith(prefix)) {
      return "other";
    }
    int end = frame.indexOf('"', prefix.length());
    return end < 0 || end - prefix.length() > 32 ? "other" : frame.substring(prefix.length(), end);
  }
}
