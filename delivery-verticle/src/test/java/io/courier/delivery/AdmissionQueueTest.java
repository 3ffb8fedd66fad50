package io.courier.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AdmissionQueueTest {
  private final AtomicLong now = new AtomicLong(1000);
  private final List<Promise<String>> started = new ArrayList<>();

  private Future<String> job(AdmissionQueue q, long deadline) {
    return q.submit(() -> {
      Promise<String> p = Promise.promise();
      started.add(p);
      return p.future();
    }, deadline);
  }

  @Test
  void runsAtMostMaxInFlightAndTheRestInArrivalOrder() {
    AdmissionQueue q = new AdmissionQueue(2, now::get);
    Future<String> a = job(q, 5000);
    Future<String> b = job(q, 5000);
    Future<String> c = job(q, 5000);
    Future<String> d = job(q, 5000);
    assertThat(started).hasSize(2);
    assertThat(q.inFlight()).isEqualTo(2);
    assertThat(q.waiting()).isEqualTo(2);

    started.get(1).complete("b");
    assertThat(b.result()).isEqualTo("b");
    assertThat(started).hasSize(3);
    started.get(0).fail("boom");
    assertThat(a.failed()).isTrue();
    assertThat(started).hasSize(4);
    started.get(2).complete("c");
    started.get(3).complete("d");
    assertThat(c.result()).isEqualTo("c");
    assertThat(d.result()).isEqualTo("d");
    assertThat(q.inFlight()).isZero();
    assertThat(q.waiting()).isZero();
  }

  @Test
  void aJobStillWaitingAtItsDeadlineFailsWithoutRunning() {
    AdmissionQueue q = new AdmissionQueue(1, now::get);
    Future<String> first = job(q, 2000);
    Future<String> late = job(q, 1500);
    Future<String> onTime = job(q, 3000);
    now.set(1500);
    started.get(0).complete("first");
    // 1500 is not past 1500: it still runs.
    assertThat(started).hasSize(2);
    now.set(3001);
    started.get(1).complete("late");
    assertThat(late.result()).isEqualTo("late");
    assertThat(onTime.failed()).isTrue();
    assertThat(onTime.cause()).isInstanceOf(AdmissionQueue.Expired.class).hasMessageContaining("2001 ms");
    assertThat(started).hasSize(2);
    assertThat(first.result()).isEqualTo("first");
  }

  @Test
  void oneInFlightAtTheEdge() {
    AdmissionQueue q = new AdmissionQueue(1, now::get);
    job(q, 5000);
    job(q, 5000);
    assertThat(started).hasSize(1);
    assertThat(q.waiting()).isEqualTo(1);
  }
}
