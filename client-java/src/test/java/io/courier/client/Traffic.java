package io.courier.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.protocol.InboxMessage;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;

/**
 * Continuous sends between pairs of users, from a thread of its own, recording what was sent to
 * whom; then checks that each recipient got exactly what was confirmed, once, with gapless seqs.
 */
final class Traffic implements AutoCloseable {
  /** One direction of traffic. */
  record Route(TestUser from, TestUser to) {}

  private final List<Route> routes;
  private final long periodMs;
  private final Map<String, Set<String>> sentTo = new ConcurrentHashMap<>();
  private final List<Future<SendReceipt>> sends = new CopyOnWriteArrayList<>();
  private final AtomicInteger confirmed = new AtomicInteger();
  private final AtomicBoolean running = new AtomicBoolean();
  private final AtomicInteger counter = new AtomicInteger();
  private Thread thread;

  Traffic(List<Route> routes, long periodMs) {
    this.routes = List.copyOf(routes);
    this.periodMs = periodMs;
  }

  /** Both directions between a.get(i) and b.get(i). */
  static List<Route> pairs(List<TestUser> a, List<TestUser> b) {
    List<Route> r = new ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      r.add(new Route(a.get(i), b.get(i)));
      r.add(new Route(b.get(i), a.get(i)));
    }
    return r;
  }

  Traffic start() {
    running.set(true);
    thread = new Thread(() -> {
      while (running.get()) {
        for (Route r : routes) {
          send(r);
        }
        try {
          Thread.sleep(periodMs); // the pace of the traffic, not a wait for a condition
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "traffic");
    thread.setDaemon(true);
    thread.start();
    return this;
  }

  private void send(Route r) {
    String id = r.from().client.nextId();
    sentTo.computeIfAbsent(r.to().id, k -> ConcurrentHashMap.newKeySet()).add(r.from().id + "/" + id);
    Future<SendReceipt> f = r.from().client.send(r.to().id, TestUser.body(counter.incrementAndGet()), id);
    f.onSuccess(ok -> confirmed.incrementAndGet());
    sends.add(f);
  }

  int confirmed() {
    return confirmed.get();
  }

  int sent() {
    return sends.size();
  }

  void stop() {
    running.set(false);
    if (thread != null) {
      try {
        thread.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Every send completes with {@code sent} (the client resends until it does). */
  void awaitAllConfirmed(Duration timeout) {
    Await.until("all " + sends.size() + " sends confirmed (" + confirmed.get() + " so far)", timeout,
        () -> sends.stream().allMatch(Future::isComplete));
    List<Throwable> failed = sends.stream().filter(Future::failed).map(Future::cause).toList();
    assertThat(failed).as("sends that failed for good").isEmpty();
  }

  /**
   * Each recipient received exactly the messages sent to it: each once (no duplicate after the
   * client's dedupe), none missing, and seqs 1..n without a gap (each was stored once).
   */
  void assertDeliveredExactlyOnce(List<TestUser> recipients, Duration timeout) {
    assertDeliveredExactlyOnce(recipients, timeout, false);
  }

  /**
   * With {@code resyncLate}, a recipient still missing messages after {@code timeout} reconnects
   * (welcome, then sync) and gets {@code timeout} once more: that separates a late live push from a
   * message the store does not hold, which fails either way.
   *
   * @return how many recipients had to be resynced
   */
  int assertDeliveredExactlyOnce(List<TestUser> recipients, Duration timeout, boolean resyncLate) {
    int resynced = 0;
    for (TestUser u : recipients) {
      Set<String> expected = sentTo.getOrDefault(u.id, Set.of());
      if (resyncLate && !Await.within(timeout, () -> u.messages.size() >= expected.size())) {
        resynced++;
        u.client.reconnect();
      }
      try {
        Await.until(u.id + " received " + expected.size() + " messages", timeout,
            () -> u.messages.size() >= expected.size());
      } catch (AssertionError e) {
        // Say what is missing, so a failure tells which message and where the client stands.
        Set<String> missing = new java.util.TreeSet<>(expected);
        u.messages.forEach(m -> missing.remove(m.from() + "/" + m.id()));
        throw new AssertionError(e.getMessage() + "; missing " + missing + "; client lastSeq " + u.client.lastSeq()
            + " epoch " + u.client.epoch() + " state " + u.client.state() + "; seqs received "
            + u.messages.stream().map(InboxMessage::seq).sorted().toList(), e);
      }
      List<String> got = u.messages.stream().map(m -> m.from() + "/" + m.id()).toList();
      assertThat(got).as("messages of %s", u.id).doesNotHaveDuplicates();
      assertThat(got).as("messages of %s", u.id).containsExactlyInAnyOrderElementsOf(expected);
      assertThat(u.messages.stream().mapToLong(InboxMessage::seq).toArray()).as("seqs of %s", u.id)
          .containsExactly(LongStream.rangeClosed(1, expected.size()).toArray());
      assertThat(u.messages.stream().map(InboxMessage::epoch).distinct()).as("epochs of %s", u.id).hasSize(1);
      assertThat(u.losses).as("losses of %s", u.id).isEmpty();
    }
    return resynced;
  }

  @Override
  public void close() {
    stop();
  }
}
