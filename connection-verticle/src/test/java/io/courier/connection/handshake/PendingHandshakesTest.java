package io.courier.connection.handshake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.protocol.MetricNames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The node's pending-socket count and the guard's settings, without Vert.x. */
class PendingHandshakesTest {
  @Test
  void theLimitIsExactAndAPlaceIsGivenBackOnce() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    PendingHandshakes pending = new PendingHandshakes(3, registry);
    List<PendingHandshakes.Place> places = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      places.add(pending.tryAcquire());
    }
    assertThat(places).doesNotContainNull();
    assertThat(pending.tryAcquire()).as("one past the limit").isNull();
    assertThat(registry.get(MetricNames.PENDING_REFUSED).counter().count()).isEqualTo(1);
    assertThat(registry.get(MetricNames.HANDSHAKES_PENDING).gauge().value()).isEqualTo(3);

    assertThat(places.get(0).release()).isTrue();
    assertThat(places.get(0).release()).as("authenticated, then closed: given back once").isFalse();
    assertThat(pending.pending()).isEqualTo(2);
    assertThat(pending.tryAcquire()).isNotNull();
    assertThat(pending.pending()).isEqualTo(3);
  }

  @Test
  void manyThreadsNeverPassTheLimitAndLeaveNothingBehind() throws Exception {
    int limit = 8;
    PendingHandshakes pending = new PendingHandshakes(limit, new SimpleMeterRegistry());
    AtomicInteger highest = new AtomicInteger();
    int threads = 4;
    CountDownLatch done = new CountDownLatch(threads);
    for (int t = 0; t < threads; t++) {
      new Thread(() -> {
        for (int i = 0; i < 20_000; i++) {
          PendingHandshakes.Place p = pending.tryAcquire();
          highest.accumulateAndGet(pending.pending(), Math::max);
          if (p != null) {
            p.release();
            p.release();
          }
        }
        done.countDown();
      }).start();
    }
    done.await();
    assertThat(highest.get()).isLessThanOrEqualTo(limit);
    assertThat(pending.pending()).isZero();
  }

  /** An acceptor that records what it was told. */
  static final class Recorded implements PendingHandshakes.Acceptor {
    final List<Boolean> told = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public void accepting(boolean on) {
      told.add(on);
    }

    Boolean last() {
      return told.isEmpty() ? null : told.get(told.size() - 1);
    }
  }

  @Test
  void theListenersStopAcceptingWhileEveryPlaceIsTakenAndResumeWhenOneFrees() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    PendingHandshakes pending = new PendingHandshakes(2, registry);
    Recorded listener = new Recorded();
    assertThat(pending.watch(listener)).isTrue();
    assertThat(pending.watch(listener)).as("known already").isFalse();

    PendingHandshakes.Place first = pending.tryAcquire();
    assertThat(listener.told).as("below the limit: nothing to say").isEmpty();
    PendingHandshakes.Place second = pending.tryAcquire();
    assertThat(listener.told).as("the last place taken: stop").containsExactly(false);
    assertThat(pending.isPaused()).isTrue();
    assertThat(registry.get(MetricNames.ACCEPT_PAUSED).gauge().value()).isEqualTo(1);
    assertThat(registry.get(MetricNames.ACCEPT_PAUSES).counter().count()).isEqualTo(1);

    Recorded late = new Recorded();
    pending.watch(late);
    assertThat(late.told).as("a listener seen while full is stopped at once").containsExactly(false);

    assertThat(pending.tryAcquire()).as("slipped past the pause: refused as before").isNull();
    assertThat(listener.told).containsExactly(false);

    second.release();
    assertThat(listener.told).as("a place free: resume").containsExactly(false, true);
    assertThat(late.told).containsExactly(false, true);
    assertThat(registry.get(MetricNames.ACCEPT_PAUSED).gauge().value()).isZero();
    first.release();
    assertThat(listener.told).as("further releases change nothing").containsExactly(false, true);

    pending.forget(late);
    pending.tryAcquire();
    pending.tryAcquire();
    assertThat(listener.told).containsExactly(false, true, false);
    assertThat(late.told).as("forgotten").containsExactly(false, true);
    assertThat(registry.get(MetricNames.ACCEPT_PAUSES).counter().count()).isEqualTo(2);
  }

  @Test
  void racingTakesAndReleasesLeaveTheListenersAsTheCountSays() throws Exception {
    for (int round = 0; round < 20; round++) {
      int limit = 3;
      PendingHandshakes pending = new PendingHandshakes(limit, new SimpleMeterRegistry());
      Recorded listener = new Recorded();
      pending.watch(listener);
      int threads = 4;
      CountDownLatch done = new CountDownLatch(threads);
      List<PendingHandshakes.Place> kept = new java.util.concurrent.CopyOnWriteArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        new Thread(() -> {
          for (int i = 0; i < 5_000; i++) {
            PendingHandshakes.Place p = pending.tryAcquire();
            if (p != null && (i + id) % 1_000 != 0) {
              p.release();
            } else if (p != null) {
              kept.add(p);
            }
          }
          done.countDown();
        }).start();
      }
      done.await();
      boolean full = pending.pending() >= limit;
      assertThat(pending.isPaused()).isEqualTo(full);
      assertThat(listener.last()).as("what the listener was told last").isEqualTo(listener.told.isEmpty() ? null : !full);
      kept.forEach(PendingHandshakes.Place::release);
      assertThat(pending.pending()).isZero();
      assertThat(pending.isPaused()).isFalse();
      assertThat(listener.last() == null || listener.last()).as("accepting once all are given back").isTrue();
    }
  }

  @Test
  void timeoutsAreCountedByReason() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    PendingHandshakes pending = new PendingHandshakes(1, registry);
    pending.timedOut(MetricNames.TIMEOUT_IDLE);
    assertThat(registry.get(MetricNames.HANDSHAKE_TIMEOUTS).tag(MetricNames.REASON, MetricNames.TIMEOUT_IDLE)
        .counter().count()).isEqualTo(1);
    assertThat(registry.get(MetricNames.HANDSHAKE_TIMEOUTS).tag(MetricNames.REASON, MetricNames.TIMEOUT_HANDSHAKE)
        .counter().count()).isZero();
    assertThatThrownBy(() -> pending.timedOut("other")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void settingsOutOfRangeAreRefusedWithTheirName() {
    CourierConfig ok = CourierConfig.defaults();
    ConnectionGuard.Settings s = ConnectionGuard.Settings.from(ok);
    assertThat(s.maxPending()).isEqualTo(1000);
    assertThat(s.handshakeTimeoutMs()).isEqualTo(10_000);
    assertThat(s.idleTimeoutMs()).isEqualTo(30_000);
    assertThat(ConnectionGuard.Settings.from(ok.with(ConfigKeys.MAX_PENDING_HANDSHAKES, 1)
        .with(ConfigKeys.HANDSHAKE_TIMEOUT_MS, 1).with(ConfigKeys.HTTP_IDLE_TIMEOUT_MS, 1)).maxPending()).isEqualTo(1);
    for (var key : List.of(ConfigKeys.MAX_PENDING_HANDSHAKES, ConfigKeys.HANDSHAKE_TIMEOUT_MS,
        ConfigKeys.HTTP_IDLE_TIMEOUT_MS)) {
      assertThatThrownBy(() -> ConnectionGuard.Settings.from(ok.with(key, 0)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(key.env());
    }
    assertThatThrownBy(() -> new PendingHandshakes(0, new SimpleMeterRegistry()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
