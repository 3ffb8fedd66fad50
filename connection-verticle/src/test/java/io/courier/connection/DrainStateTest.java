package io.courier.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The node-wide drain state on its own: bounds of afterMs and Retry-After, idempotence, grace edges. */
class DrainStateTest {

  @Test
  void negativeGraceIsRefusedAndZeroMeansAtOnce() {
    assertThatThrownBy(() -> new Drain(-1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(">= 0");
    Drain now = new Drain(0);
    now.start();
    for (int i = 0; i < 50; i++) {
      assertThat(now.reconnectAfterMs(now.deadline())).isZero();
    }
  }

  @Test
  void afterMsStaysWithinWhatIsLeftOfTheGraceAndIsSpread() {
    Drain d = new Drain(30_000);
    assertThat(d.isDraining()).isFalse();
    d.start();
    assertThat(d.isDraining()).isTrue();
    long start = d.deadline() - 30_000;
    Set<Long> seen = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      long after = d.reconnectAfterMs(start);
      assertThat(after).isBetween(0L, 30_000L);
      seen.add(after);
    }
    assertThat(seen).hasSizeGreaterThan(100);
    // Late in the grace period the hint never points past its end.
    assertThat(d.reconnectAfterMs(d.deadline() - 10)).isBetween(0L, 10L);
    assertThat(d.reconnectAfterMs(d.deadline() + 5000)).isZero();
  }

  @Test
  void retryAfterIsOneToFiveSeconds() {
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 500; i++) {
      seen.add(Drain.retryAfterSeconds());
    }
    assertThat(seen).containsExactlyInAnyOrder(1, 2, 3, 4, 5);
  }

  @Test
  void startIsIdempotentAndCompletesWhenEveryParticipantIsEmpty() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      Context ctx = vertx.getOrCreateContext();
      int[] calls = {0};
      io.vertx.core.Promise<Void> part = io.vertx.core.Promise.promise();
      Drain d = new Drain(1000);
      d.register(new Drain.Participant() {
        @Override
        public Context context() {
          return ctx;
        }

        @Override
        public Future<Void> drain(long deadline) {
          calls[0]++;
          return part.future();
        }
      });
      Future<Void> first = d.start();
      Future<Void> second = d.start();
      assertThat(second).isSameAs(first);
      ctx.runOnContext(v -> part.complete());
      first.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      assertThat(calls[0]).isEqualTo(1);
      assertThat(d.done().succeeded()).isTrue();
    } finally {
      vertx.close().await();
    }
  }
}
