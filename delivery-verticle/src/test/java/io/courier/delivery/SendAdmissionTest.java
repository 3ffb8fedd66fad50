package io.courier.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SendAdmissionTest {
  private static final long MS = 1_000_000L;
  private final AtomicLong now = new AtomicLong(1_000_000 * MS);
  /** Start times of sends taken and not yet answered, oldest first (the store answers in order). */
  private final ArrayDeque<Long> waiting = new ArrayDeque<>();

  private boolean send(SendAdmission a) {
    long t = a.admit();
    if (t == Long.MIN_VALUE) {
      return false;
    }
    waiting.add(t);
    return true;
  }

  private void answerOldest(SendAdmission a) {
    a.done(waiting.poll());
  }

  private void advanceMs(long ms) {
    now.addAndGet(ms * MS);
  }

  /** The store answers {@code perSecond} sends a second, each {@code latencyMs} after it was taken, for a second. */
  private void steady(SendAdmission a, int perSecond, long latencyMs) {
    long stepMs = 1000 / perSecond;
    for (int i = 0; i < perSecond; i++) {
      assertThat(send(a)).isTrue();
      advanceMs(latencyMs);
      answerOldest(a);
      advanceMs(stepMs - latencyMs);
    }
  }

  @Test
  void offTakesEverythingWhateverTheStoreDoes() {
    SendAdmission a = new SendAdmission(0, 1, now::get);
    for (int i = 0; i < 10_000; i++) {
      assertThat(send(a)).isTrue();
    }
    advanceMs(60_000);
    assertThat(send(a)).isTrue();
    assertThat(a.inFlight()).isEqualTo(10_001);
  }

  @Test
  void aStalledStoreGetsTheMinimumAndThenRefusalsOnceTheTargetHasPassedWithoutAnAnswer() {
    SendAdmission a = new SendAdmission(200, 4, now::get);
    for (int i = 0; i < 4; i++) {
      assertThat(send(a)).isTrue();
    }
    // Under the target nothing shows the store is behind yet: still taken.
    advanceMs(150);
    assertThat(send(a)).isTrue();
    // 201 ms without any answer while sends wait: behind, and 5 >= the minimum bound of 4.
    advanceMs(51);
    assertThat(send(a)).isFalse();
    assertThat(a.inFlight()).isEqualTo(5);
    assertThat(a.refusal().getMessage()).isEqualTo("5 sends waiting on the store, which answered at most 0 a second over the last 10 s (bound 4)");

    // Answers come back: below the minimum every send is taken again.
    answerOldest(a);
    answerOldest(a);
    assertThat(a.inFlight()).isEqualTo(3);
    assertThat(send(a)).isTrue();
  }

  @Test
  void theMinimumIsTakenAtItsEdge() {
    SendAdmission a = new SendAdmission(100, 3, now::get);
    assertThat(send(a)).isTrue();
    assertThat(send(a)).isTrue();
    advanceMs(1000);
    assertThat(send(a)).as("2 waiting, minimum 3: taken though nothing was answered for a second").isTrue();
    assertThat(send(a)).as("3 waiting: the bound, and the store is stalled").isFalse();
  }

  @Test
  void aBurstTheStoreAnswersQuicklyIsTakenWhole() {
    SendAdmission a = new SendAdmission(200, 8, now::get);
    steady(a, 100, 2); // 100 answers in the last second, 2 ms each: bound max(8, 100 * 0.2) = 20
    assertThat(a.bound()).isEqualTo(20);
    for (int i = 0; i < 500; i++) {
      assertThat(send(a)).as("send %d of the burst", i).isTrue();
      if (i % 50 == 49) {
        advanceMs(1);
        answerOldest(a); // answers keep coming, quickly: the store is not behind
      }
    }
    assertThat(a.inFlight()).isGreaterThan(400);
  }

  @Test
  void aSaturatedStoreKeepsTheQueueAtWhatItAnswersWithinTheTarget() {
    SendAdmission a = new SendAdmission(200, 8, now::get);
    // The store answers 1,000 a second, but only 300 ms after each send: it is behind.
    for (int i = 0; i < 300; i++) {
      send(a);
      advanceMs(1);
    }
    int refused = 0;
    for (int i = 0; i < 3000; i++) {
      answerOldest(a);
      if (!send(a)) {
        refused++;
      }
      if (!send(a)) { // offered twice what is answered
        refused++;
      }
      advanceMs(1);
    }
    // At most 1,000 answered in a second: bound 200, and what is waiting stays there.
    assertThat(a.bound()).isEqualTo(200);
    assertThat(a.inFlight()).isBetween(199, 201);
    assertThat(refused).isGreaterThan(2500);
  }

  @Test
  void theBoundFollowsTheBestRecentSecondNotTheLastOne() {
    SendAdmission a = new SendAdmission(200, 8, now::get);
    steady(a, 1000, 1); // a second at 1,000 a second
    steady(a, 100, 5); // then slower answers, for whatever reason
    steady(a, 100, 5);
    assertThat(a.bound()).as("the 1,000 second is still in the window").isBetween(199L, 200L);
    for (int i = 0; i < 9; i++) {
      steady(a, 100, 5);
    }
    assertThat(a.bound()).as("ten seconds later it has left the window").isEqualTo(20);
  }

  @Test
  void aStoreThatCatchesUpIsGivenMoreAgain() {
    SendAdmission a = new SendAdmission(100, 2, now::get);
    send(a);
    send(a);
    advanceMs(500);
    assertThat(send(a)).isFalse();
    answerOldest(a);
    answerOldest(a);
    // Two seconds of quick answers at 500/s: bound max(2, 500 * 0.1) = 50, and nothing refused.
    steady(a, 500, 1);
    steady(a, 500, 1);
    assertThat(a.bound()).isEqualTo(50);
    // Eleven seconds later with nothing answered the rate is forgotten: back to the minimum.
    advanceMs(11_000);
    assertThat(a.bound()).isEqualTo(2);
  }

  @Test
  void settingsAreReadAndABadMinimumNamesItsSetting() {
    SendAdmission a = SendAdmission.from(CourierConfig.defaults().with(ConfigKeys.STORE_ADMISSION_MIN, 7));
    assertThat(a.bound()).isEqualTo(7);
    assertThatThrownBy(() -> SendAdmission.from(CourierConfig.defaults().with(ConfigKeys.STORE_ADMISSION_MIN, 0)))
        .hasMessageContaining("COURIER_STORE_ADMISSION_MIN must be at least 1, got 0");
  }
}
