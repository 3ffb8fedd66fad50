package io.courier.connection.handshake;

import io.courier.protocol.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The node's count of sockets that are not yet authenticated connections (COURIER_MAX_PENDING_HANDSHAKES).
 * One per node, shared by every HTTP server of the node and every gateway instance (each on its own
 * event loop), so the count is an atomic. A place is taken when a socket is accepted and given back
 * exactly once: when the socket becomes an authenticated connection, or when it closes, whichever
 * comes first ({@link Place}).
 *
 * <p>While every place is taken, the node's listening sockets stop accepting ({@link Acceptor}):
 * new connections wait in the kernel's accept queue, holding no file descriptor of the node, and
 * are accepted in order as places free. Closing them instead would send every client of a
 * reconnect wave past the limit into its retry backoff while the node has room again a moment
 * later. Listeners count their sockets as they accept them ({@link AcceptGate}), so a listener
 * stops with the socket that took the last place; a socket still accepted past the limit (one taken
 * before the listener's gate was in place, or in a race between a resume and the next pause) is
 * closed at once and counted as refused.
 */
public final class PendingHandshakes {
  private final int limit;
  private final AtomicInteger pending = new AtomicInteger();
  private final Counter refused;
  private final Counter pauses;
  private final Map<String, Counter> timeouts;
  private final Set<Acceptor> acceptors = ConcurrentHashMap.newKeySet();
  /** Whether the acceptors were last told to stop; guarded by this. */
  private boolean paused;

  /** A listening socket of the node that can stop and resume accepting connections. */
  public interface Acceptor {
    /** Resume (true) or stop (false) accepting; called under this object's lock, must not block. */
    void accepting(boolean on);
  }

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
    pauses = Counter.builder(MetricNames.ACCEPT_PAUSES)
        .description("Times the node stopped accepting sockets: COURIER_MAX_PENDING_HANDSHAKES sockets were pending").register(registry);
    Gauge.builder(MetricNames.ACCEPT_PAUSED, this, p -> p.isPaused() ? 1 : 0)
        .description("1 while the node does not accept sockets (COURIER_MAX_PENDING_HANDSHAKES pending), else 0")
        .register(registry);
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
        if (pending.decrementAndGet() + 1 >= limit) {
          gate();
        }
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
        if (n + 1 >= limit) {
          gate();
        }
        return new Place();
      }
    }
  }

  /**
   * Makes {@code acceptor} stop accepting whenever every place is taken (at once, if that is now).
   * Adding one already known does nothing and answers false; {@link #forget} it when its socket is
   * closed.
   */
  public boolean watch(Acceptor acceptor) {
    if (acceptors.contains(acceptor)) {
      return false;
    }
    synchronized (this) {
      if (!acceptors.add(acceptor)) {
        return false;
      }
      if (paused) {
        acceptor.accepting(false);
      }
      return true;
    }
  }

  public void forget(Acceptor acceptor) {
    acceptors.remove(acceptor);
  }

  /**
   * Tells the acceptors what the count now says. Called after every change that crosses the limit,
   * so the last call after the last crossing reads the final count: whatever order racing calls
   * take the lock in, the acceptors end up as the count says.
   */
  private synchronized void gate() {
    boolean full = pending.get() >= limit;
    if (full == paused) {
      return;
    }
    paused = full;
    if (full) {
      pauses.increment();
    }
    for (Acceptor a : acceptors) {
      a.accepting(!full);
    }
  }

  /** True while the acceptors are told not to accept. */
  public synchronized boolean isPaused() {
    return paused;
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
