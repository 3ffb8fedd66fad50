package io.courier.delivery.store;

import io.courier.cluster.HazelcastFutures;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Brings a store client's asynchronous result back to the caller's Vert.x context, bounded in time,
 * with every failure turned into {@link StoreUnavailableException}: the caller only needs to know
 * that nothing can be promised, whatever the client library's exception says.
 */
public final class StoreCalls {
  private StoreCalls() {}

  /** {@code call} may also throw instead of failing its stage (a shut-down Hazelcast proxy does). */
  public static <T> Future<T> onContext(Supplier<CompletionStage<T>> call, Context ctx, long timeoutMs, String what) {
    CompletionStage<T> stage;
    try {
      stage = call.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(unavailable(what, e));
    }
    return HazelcastFutures.onContext(stage, ctx)
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .recover(t -> Future.failedFuture(unavailable(what, t)));
  }

  public static StoreUnavailableException unavailable(String what, Throwable cause) {
    if (cause instanceof StoreUnavailableException s) {
      return s;
    }
    Throwable root = cause instanceof CompletionException && cause.getCause() != null ? cause.getCause() : cause;
    if (outOfMemory(root)) {
      // Redis at maxmemory with noeviction refuses writes ("OOM command not allowed ..."): the same
      // answer as the Hazelcast store's budget, so clients back off instead of resending at once.
      return new StoreOverloadedException(what + " refused: the store is out of memory (" + root.getMessage() + ")");
    }
    return new StoreUnavailableException(what + " failed: " + root, root);
  }

  /** A Redis {@code OOM} error reply, alone or inside a failed pipelined batch. */
  static boolean outOfMemory(Throwable t) {
    String m = t == null ? null : t.getMessage();
    return m != null && (m.startsWith("OOM ") || m.contains("OOM command not allowed"));
  }
}
