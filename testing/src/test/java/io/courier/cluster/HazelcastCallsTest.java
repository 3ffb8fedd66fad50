package io.courier.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.internal.util.ConcurrencyUtil;
import io.courier.protocol.CourierConfig;
import io.courier.testing.Ports;
import io.courier.testing.TestCluster;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** How Hazelcast results come back to Vert.x. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HazelcastCallsTest {
  TestCluster.Member a;
  TestCluster.Member b;

  @BeforeAll
  void start() {
    CourierConfig cfg = TestCluster.config(Ports.uniqueName("hzcalls"));
    a = TestCluster.start(cfg, "calls-a");
    b = TestCluster.join(cfg, cfg.getInt(io.courier.protocol.ConfigKeys.CLUSTER_PORT), "calls-b");
  }

  @AfterAll
  void stop() {
    Future.join(a.vertx().close(), b.vertx().close()).await();
  }

  @Test
  void aResultCompletedOnAnotherThreadArrivesOnTheCallersContext() throws Exception {
    Context ctx = a.vertx().getOrCreateContext();
    CompletableFuture<String> stage = new CompletableFuture<>();
    Promise<Boolean> onContext = Promise.promise();
    ctx.runOnContext(v -> HazelcastFutures.onContext(stage, ctx)
        .onComplete(ar -> onContext.complete(Context.isOnEventLoopThread() && ar.succeeded()
            && "done".equals(ar.result()) && a.vertx().getOrCreateContext() == ctx)));
    Thread other = new Thread(() -> stage.complete("done"));
    other.start();
    assertThat(onContext.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)).isTrue();

    CompletableFuture<String> failing = new CompletableFuture<>();
    Future<String> failed = HazelcastFutures.onContext(failing, ctx);
    failing.completeExceptionally(new IllegalStateException("boom"));
    assertThat(failed.toCompletionStage().toCompletableFuture().handle((r, e) -> e).get(10, TimeUnit.SECONDS))
        .hasMessageContaining("boom");
  }

  /**
   * With a common pool of parallelism 1 (two cores or fewer), Hazelcast's default callback executor
   * starts a thread per callback; a started node replaces it with a pool that reuses idle threads.
   */
  @Test
  void aNodeNeverLeavesHazelcastStartingAThreadPerCallback() {
    if (ForkJoinPool.getCommonPoolParallelism() > 1) {
      assertThat(ConcurrencyUtil.getDefaultAsyncExecutor()).isSameAs(ForkJoinPool.commonPool());
    } else {
      assertThat(ConcurrencyUtil.getDefaultAsyncExecutor()).isNotSameAs(ForkJoinPool.commonPool());
      // One callback after the other: idle threads are reused, so a handful run all 50 (a thread per
      // callback would be 50). More than one can appear: the next callback may be handed over before
      // the previous thread is back waiting for work.
      Set<String> names = new java.util.HashSet<>();
      for (int i = 0; i < 50; i++) {
        names.add(CompletableFuture.supplyAsync(() -> Thread.currentThread().getName(),
            ConcurrencyUtil.getDefaultAsyncExecutor()).join());
      }
      assertThat(names).allMatch(n -> n.startsWith("courier-hz-callback-")).hasSizeLessThanOrEqualTo(10);
    }
  }
}
