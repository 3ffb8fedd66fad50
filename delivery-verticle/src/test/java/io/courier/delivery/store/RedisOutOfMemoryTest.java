package io.courier.delivery.store;

import static io.courier.delivery.store.Inboxes.await;
import static io.courier.delivery.store.Inboxes.draft;
import static io.courier.delivery.store.Inboxes.roomDraft;
import static org.assertj.core.api.Assertions.assertThat;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.testing.Ports;
import io.courier.testing.RedisServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A real redis-server at its {@code maxmemory} with {@code noeviction} (the policy Courier asks
 * for): writes are refused, and the store says so as {@link StoreOverloadedException} (answered
 * {@code overloaded}, resent later by clients), while reads go on.
 */
@ExtendWith(VertxExtension.class)
class RedisOutOfMemoryTest {
  private static final String BODY = "\"" + "x".repeat(50_000) + "\"";
  private static RedisServer server;
  private static Vertx vertx;

  @BeforeAll
  static void startRedis(Vertx v) {
    vertx = v;
    server = RedisServer.start(Ports.free(), null, "--maxmemory", "4mb", "--maxmemory-policy", "noeviction");
  }

  @AfterAll
  static void stopRedis() {
    server.close();
  }

  @Test
  void aFullRedisIsOverloadedNotUnavailable() {
    MessageStore store = new RedisMessageStore(vertx, CourierConfig.defaults().with(ConfigKeys.REDIS_URL, server.url()));
    try {
      int[] stored = {0};
      // Redis's used memory moves around maxmemory (a refused request's buffers are freed again), so
      // each kind of write is repeated until Redis refuses one; the refusal is what is checked.
      Throwable refused = untilRefused(i -> store.append("bob", draft("alice", "bob", "m" + i, BODY))
          .map(r -> { stored[0]++; return (Throwable) null; }));
      assertThat(refused).as("a write past maxmemory is refused").isInstanceOf(StoreOverloadedException.class);
      assertThat(refused.getMessage()).contains("out of memory");
      assertThat(stored[0]).isPositive();

      Throwable roomRefused = untilRefused(i -> store.appendAll(List.of("carol", "dave"),
          roomDraft("alice", "r-1", "r" + i, BODY)).compose(r -> r.failed().isEmpty()
              ? Future.succeededFuture((Throwable) null) : Future.failedFuture(r.failed().get("carol"))));
      assertThat(roomRefused).isInstanceOf(StoreOverloadedException.class);

      // Reads go on: every append that succeeded is there.
      ReadResult read = await(store.read("bob", 0, 1000));
      assertThat(read.messages()).hasSize(stored[0]);
    } finally {
      await(store.close());
    }
  }

  /** Runs {@code write} (attempt number in) until it fails, at most 400 times; the failure. */
  private static Throwable untilRefused(java.util.function.IntFunction<Future<Throwable>> write) {
    for (int i = 0; i < 400; i++) {
      Throwable t = await(write.apply(i).transform(ar -> Future.succeededFuture(ar.cause())));
      if (t != null) {
        return t;
      }
    }
    throw new AssertionError("Redis at maxmemory never refused a write in 400 attempts");
  }
}
