package io.courier.connection.handshake;

import io.courier.protocol.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The node's count of sockets that are not yet authenticated connections (COURIER_MAX_PENDING_HANDSHAKES).
 * One per node, shared by every HTTP server of the node and every gateway instance (each on its own
 * event loop), so the count is an atomic. A place is taken when a socket is accepted and given back
 * exactly once: when the socket becomes an authenticated connection, or when it closes, whichever
 * comes first ({@link Place}).
 */
public final class PendingHandshakes {
  private final int limit;
  private final AtomicInteger pending = new AtomicInteger();
  private final Counter refused;
  private final Map<String, Counter> timeouts;

  public PendingHandshakes(int limit, MeterRegistry registry) {
    if (limit < 1) {
      throw new IllegalArgumentException("the pending handshake limit must be >= 1, got " + limit);
    }
    this.limit = limit;
    Gauge.builder(MetricNames.HANDSHAKES_PENDING, pending, AtomicInteger::get)
        .description("Sockets held that are not yet authenticated connections (COURIER_MAX_PENDING_HANDSHAKES)")
        .register(registry);
    refused = Counter.builder(MetricNames.PENDING_REFUSED)
        .description("Sockets closed on accept: COURIER_MAX_PENDING_HANDSHAKES sockets were pending").register(registry);
    timeouts = Map.of(
        MetricNames.TIMEOUT_HANDSHAKE, timeout(registry, MetricNames.TIMEOUT_HANDSHAKE),
        MetricNames.TIMEOUT_IDLE, timeout(registry, MetricNames.TIMEOUT_IDLE),
        MetricNames.TIMEOUT_BRIDGE_AUTH, timeout(registry, MetricNames.TIMEOUT_BRIDGE_AUTH));
  }

  private static Counter timeout(MeterRegistry registry, String reason) {
    return Counter.builder(MetricNames.HANDSHAKE_TIMEOUTS)
        .description("Pending sockets closed by the server: not authenticated in time, or idle HTTP keep-alive")
        .tag(MetricNames.REASON, reason).register(registry);
  }

  /** One socket's place; {@link #release()} gives it back once, later calls do nothing. */
  public final class Place {
    private final AtomicBoolean held = new AtomicBoolean(true);

    private Place() {}

    /** Gives the place back (authenticated, closed or timed out); true the first time only. */
    public boolean release() {
      if (held.compareAndSet(true, false)) {
        pending.decrementAndGet();
        return true;
      }
      return false;
    }

    public boolean held() {
      return held.get();
    }
  }

  /** A place for a newly accepted socket, or null (counted as refused) when {@code limit} are pending. */
  public Place tryAcquire() {
    while (true) {
      int n = pending.get();
      if (n >= limit) {
        refused.increment();
        return null;
      }
      if (pending.compareAndSet(n, n + 1)) {
        return new Place();
      }
    }
  }

  /** Counts a pending socket the server closed; {@code reason} is one of the TIMEOUT_ names of {@link MetricNames}. */
  public void timedOut(String reason) {
    Counter c = timeouts.get(reason);
    if (c == null) {
      throw new IllegalArgumentException("unknown timeout reason " + reason);
    }
    c.increment();
  }

  public int pending() {
    return pending.get();
  }

  public int limit() {
    return limit;
  }
}
