package io.courier.delivery.store;

import static io.courier.delivery.store.Inboxes.await;
import static io.courier.delivery.store.Inboxes.draft;
import static io.courier.delivery.store.Inboxes.eventually;
import static io.courier.delivery.store.Inboxes.failure;
import static org.assertj.core.api.Assertions.assertThat;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.testing.Ports;
import io.courier.testing.RedisServer;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Redis going away and coming back, with a server of this test's own. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedisStoreRecoveryTest {
  private RedisServer server;
  private MessageStore store;

  @AfterEach
  void stop() {
    if (store != null) {
      await(store.close());
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void failsFastWhileDownAndRecoversByItselfWhenBack(Vertx vertx) {
    server = RedisServer.start();
    CourierConfig cfg = CourierConfig.defaults().with(ConfigKeys.REDIS_URL, server.url()).with(ConfigKeys.REDIS_POOL, 4);
    store = new RedisMessageStore(vertx, cfg);
    // With the default "everysec", a SIGKILL can lose the last second of acknowledged writes.
    Redis admin = Redis.createClient(vertx, server.url());
    await(RedisAPI.api(admin).config(List.of("SET", "appendfsync", "always")).eventually(admin::close));
    String bob = Ports.uniqueName("user");
    String epoch = await(Inboxes.sendSequentially(store, bob, "alice", 3).compose(v -> store.read(bob, 0, 0))).epoch();

    server.kill();
    long start = System.nanoTime();
    assertThat(failure(store.append(bob, draft("alice", bob, "while-down", "1"))))
        .isInstanceOf(StoreUnavailableException.class);
    assertThat(failure(store.read(bob, 0, 10))).isInstanceOf(StoreUnavailableException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));

    // Same port and data directory: the append-only file brings the inbox back.
    server = RedisServer.start(server.port(), server.dir());
    AppendResult[] accepted = new AppendResult[1];
    eventually(Duration.ofSeconds(10), "append accepted after the restart", () -> {
      try {
        accepted[0] = await(store.append(bob, draft("alice", bob, "while-down", "1")));
        return true;
      } catch (StoreUnavailableException stillReconnecting) {
        return false;
      }
    });
    assertThat(accepted[0]).extracting(AppendResult::seq, AppendResult::epoch, AppendResult::dup)
        .containsExactly(4L, epoch, false);
    assertThat(await(store.read(bob, 0, 10)).messages()).hasSize(4);
  }

  /** A server that accepts connections but never answers (SIGSTOP): calls end at the timeout. */
  @Test
  void aHungRedisFailsCallsAtTheTimeoutAndIsUsableAgainAfterwards(Vertx vertx) throws Exception {
    server = RedisServer.start();
    CourierConfig cfg = CourierConfig.defaults().with(ConfigKeys.REDIS_URL, server.url())
        .with(ConfigKeys.REDIS_POOL, 2).with(ConfigKeys.BUS_TIMEOUT_MS, 2000);
    store = new RedisMessageStore(vertx, cfg);
    String bob = Ports.uniqueName("user");
    await(store.append(bob, draft("alice", bob, "m1", "1")));

    long pid = pidListeningOn(server.port());
    signal("STOP", pid);
    try {
      long start = System.nanoTime();
      assertThat(failure(store.append(bob, draft("alice", bob, "m2", "2"))))
          .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("Timeout");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(900), Duration.ofSeconds(5));
    } finally {
      signal("CONT", pid);
    }
    // The timed-out append may still have run; the client's resend is then a duplicate, not a second copy.
    AppendResult resend = await(store.append(bob, draft("alice", bob, "m2", "2")));
    assertThat(resend.seq()).isEqualTo(2);
    assertThat(await(store.read(bob, 0, 10)).messages()).hasSize(2);
  }

  /** The redis-server child this test started; it retitles itself "redis-server 127.0.0.1:PORT". */
  private static long pidListeningOn(int port) {
    return ProcessHandle.current().children()
        .filter(p -> cmdline(p.pid()).contains(":" + port))
        .findFirst().orElseThrow().pid();
  }

  // ProcessHandle.Info hides a command line the process rewrote; /proc shows it as it is now.
  private static String cmdline(long pid) {
    try {
      return Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"));
    } catch (IOException gone) {
      return "";
    }
  }

  private static void signal(String signal, long pid) throws Exception {
    assertThat(new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start().waitFor()).isZero();
  }

  @Test
  void unreachableRedisFailsEveryCallAsUnavailable(Vertx vertx) {
    CourierConfig cfg = CourierConfig.defaults().with(ConfigKeys.REDIS_URL, "redis://127.0.0.1:" + Ports.free() + "/0");
    store = new RedisMessageStore(vertx, cfg);
    assertThat(failure(store.append("bob", draft("alice", "bob", "x", "1")))).isInstanceOf(StoreUnavailableException.class);
    assertThat(failure(store.read("bob", 0, 10))).isInstanceOf(StoreUnavailableException.class);
  }
}
