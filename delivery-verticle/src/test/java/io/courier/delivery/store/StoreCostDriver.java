package io.courier.delivery.store;

import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;
import java.util.function.ToDoubleFunction;

/** What the store cost programs ({@link RedisStoreCost}, {@link HazelcastStoreCost}) drive their calls and report with. */
final class StoreCostDriver {
  private StoreCostDriver() {}

  /**
   * Runs op(0..n-1) on ctx with at most inFlight outstanding; completes with the number of
   * failures. Each op must complete asynchronously (a completed future would recurse).
   */
  static CompletableFuture<Integer> saturated(Context ctx, int n, int inFlight, IntFunction<Future<?>> op) {
    Counter c = new Counter(n);
    ctx.runOnContext(v -> {
      for (int k = 0; k < Math.min(inFlight, n); k++) {
        step(op, c);
      }
    });
    return c.done;
  }

  private static void step(IntFunction<Future<?>> op, Counter c) {
    int i = c.next++;
    if (i >= c.n) {
      return;
    }
    op.apply(i).onComplete(ar -> {
      c.finished(ar.failed());
      step(op, c);
    });
  }

  /** "min / median" of {@code f} over the runs, with {@code decimals} places. */
  static <T> String minMedian(List<T> runs, ToDoubleFunction<T> f, int decimals) {
    double[] v = runs.stream().mapToDouble(f).sorted().toArray();
    String one = "%." + decimals + "f";
    return String.format(one + " / " + one, v[0], v[v.length / 2]);
  }

  /** Calls issued and finished; touched only on the driving context. */
  static final class Counter {
    final int n;
    final CompletableFuture<Integer> done = new CompletableFuture<>();
    int next;
    int finished;
    int errors;

    Counter(int n) {
      this.n = n;
    }

    void finished(boolean failed) {
      if (failed) {
        errors++;
      }
      if (++finished == n) {
        done.complete(errors);
      }
    }
  }
}
