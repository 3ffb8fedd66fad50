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
