package io.courier.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LogThrottleTest {
  private final AtomicLong now = new AtomicLong(5_000_000_000L);
  private final LogThrottle throttle = new LogThrottle(Duration.ofSeconds(1), now::get);

  private void advanceMs(long ms) {
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
  }

  @Test
  void theFirstOccurrencePassesThenOnePerIntervalWithTheCountHeldBack() {
    assertThat(throttle.admit("append")).isZero();
    for (int i = 0; i < 1000; i++) {
      assertThat(throttle.admit("append")).isEqualTo(-1);
    }
    advanceMs(999);
    assertThat(throttle.admit("append")).as("1 ms short of the interval").isEqualTo(-1);
    advanceMs(1);
    assertThat(throttle.admit("append")).as("at the interval").isEqualTo(1001);
    assertThat(throttle.admit("append")).isEqualTo(-1);
  }

  @Test
  void theIntervalRunsFromTheLastOccurrenceThatPassed() {
    throttle.admit("read");
    advanceMs(5_000);
    assertThat(throttle.admit("read")).as("nothing held back in between").isZero();
    advanceMs(500);
    assertThat(throttle.admit("read")).isEqualTo(-1);
    advanceMs(500);
    assertThat(throttle.admit("read")).isEqualTo(1);
  }

  @Test
  void keysAreCountedApart() {
    assertThat(throttle.admit("node-a unavailable append")).isZero();
    assertThat(throttle.admit("node-b unavailable append")).isZero();
    assertThat(throttle.admit("node-a unavailable read")).isZero();
    assertThat(throttle.admit("node-a unavailable append")).isEqualTo(-1);
    advanceMs(1_000);
    assertThat(throttle.admit("node-a unavailable append")).isEqualTo(1);
    assertThat(throttle.admit("node-b unavailable append")).isZero();
  }

  @Test
  void theIntervalMustBePositive() {
    assertThatThrownBy(() -> new LogThrottle(Duration.ZERO, now::get)).isInstanceOf(IllegalArgumentException.class);
  }
}
