package io.courier.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {

  @Test
  void ceilingDoublesFromBaseUpToCap() {
    Backoff b = new Backoff(100, 1_000, bound -> bound);
    assertThat(b.ceiling(0)).isEqualTo(100);
    assertThat(b.ceiling(1)).isEqualTo(200);
    assertThat(b.ceiling(2)).isEqualTo(400);
    assertThat(b.ceiling(3)).isEqualTo(800);
    assertThat(b.ceiling(4)).isEqualTo(1_000);
    assertThat(b.ceiling(40)).isEqualTo(1_000);
  }

  @Test
  void ceilingNeverOverflows() {
    Backoff b = new Backoff(3, Long.MAX_VALUE / 2, bound -> bound);
    for (int attempt = 0; attempt < 200; attempt++) {
      assertThat(b.ceiling(attempt)).isPositive().isLessThanOrEqualTo(Long.MAX_VALUE / 2);
    }
    assertThat(b.ceiling(Integer.MAX_VALUE)).isEqualTo(Long.MAX_VALUE / 2);
  }

  @Test
  void fullJitterAsksTheRandomSourceForTheWholeRange() {
    List<Long> bounds = new ArrayList<>();
    Backoff b = new Backoff(100, 10_000, bound -> {
      bounds.add(bound);
      return 0;
    });
    for (int i = 0; i < 5; i++) {
      assertThat(b.next()).isZero();
    }
    assertThat(bounds).containsExactly(100L, 200L, 400L, 800L, 1_600L);
  }

  @Test
  void delaysStayWithinZeroAndTheCeilingAndSpreadOverIt() {
    Random rnd = new Random(42);
    Backoff b = new Backoff(100, 5_000, bound -> bound <= 0 ? 0 : (long) (rnd.nextDouble() * (bound + 1)));
    long min = Long.MAX_VALUE;
    long max = 0;
    for (int i = 0; i < 2_000; i++) {
      long d = b.delay(3);
      assertThat(d).isBetween(0L, 800L);
      min = Math.min(min, d);
      max = Math.max(max, d);
    }
    assertThat(min).isLessThan(50);
    assertThat(max).isGreaterThan(750);
  }

  @Test
  void aMisbehavingRandomSourceIsClampedToTheRange() {
    assertThat(new Backoff(100, 1_000, bound -> bound * 10).delay(0)).isEqualTo(100);
    assertThat(new Backoff(100, 1_000, bound -> -5).delay(0)).isZero();
  }

  @Test
  void defaultRandomStaysInRange() {
    Backoff b = Backoff.withDefaultRandom(10, 1_000);
    for (int i = 0; i < 1_000; i++) {
      assertThat(b.delay(i % 10)).isBetween(0L, b.ceiling(i % 10));
    }
    assertThat(Backoff.uniform(0)).isZero();
  }

  @Test
  void resetStartsOverAndAttemptCounts() {
    Backoff b = new Backoff(100, 10_000, bound -> bound);
    assertThat(b.next()).isEqualTo(100);
    assertThat(b.next()).isEqualTo(200);
    assertThat(b.attempt()).isEqualTo(2);
    b.reset();
    assertThat(b.attempt()).isZero();
    assertThat(b.next()).isEqualTo(100);
  }

  @Test
  void rejectsNonsenseSettings() {
    assertThatThrownBy(() -> new Backoff(0, 10, x -> x)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Backoff(100, 10, x -> x)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Backoff(1, 10, x -> x).ceiling(-1)).isInstanceOf(IllegalArgumentException.class);
  }
}
