package io.courier.cluster;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.internal.ContextInternal;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Brings a Hazelcast asynchronous result onto a Vert.x context.
 *
 * <p>Use this, never {@code Future.fromCompletionStage}, for Hazelcast stages: that registers a
 * plain {@code whenComplete}, which Hazelcast runs on its default async executor, and on a machine
 * with two cores or fewer (the common pool's parallelism is then 1) that executor starts a new
 * thread for every callback. Under load the partition threads spent their time starting threads
 * and store calls timed out. Here the callback runs on the thread that completes the stage (a
 * Hazelcast response or partition thread) and does nothing there but hand the result to the
 * context's event loop.
 */
public final class HazelcastFutures {
  /** Runs the callback on the completing thread; it only enqueues onto the context. */
  private static final Executor ON_COMPLETING_THREAD = Runnable::run;

  private HazelcastFutures() {}

  /**
   * The future belongs to {@code ctx}: a {@code timeout} on it is scheduled on that context's event
   * loop. (A future of {@code Promise.promise()} has no context, and Vert.x then schedules its
   * timeout on Netty's global executor: one more thread, woken twice per store call to arm and to
   * cancel the timer, and started anew after every idle second.)
   */
  public static <T> Future<T> onContext(CompletionStage<T> stage, Context ctx) {
    Promise<T> promise = ((ContextInternal) ctx).promise();
    stage.whenCompleteAsync((value, failure) -> ctx.runOnContext(v -> {
      if (failure != null) {
        promise.fail(failure);
      } else {
        promise.complete(value);
      }
    }), ON_COMPLETING_THREAD);
    return promise.future();
  }
}
