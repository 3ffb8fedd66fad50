package io.courier.delivery.store;

import static io.courier.delivery.store.Inboxes.await;
import static io.courier.delivery.store.Inboxes.draft;
import static io.courier.delivery.store.Inboxes.eventually;
import static io.courier.delivery.store.Inboxes.failure;
import static io.courier.delivery.store.Inboxes.roomDraft;
import static org.assertj.core.api.Assertions.assertThat;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.testing.Ports;
import io.courier.testing.RedisServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Redis store's connections: a fixed number, many calls in flight on each, a bound on those
 * calls enforced at its edge, and a lost connection replaced. Each test has a server of its own;
 * the store's connections carry a client name, so the test can find them in CLIENT LIST.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedisPipeliningTest {
  private RedisServer server;
  private Redis admin;
  private String name;
  private final List<MessageStore> stores = new ArrayList<>();

  @BeforeEach
  void start(Vertx vertx) {
    server = RedisServer.start();
    admin = Redis.createClient(vertx, server.url());
    name = Ports.uniqueName("store");
  }

  @AfterEach
  void stop() {
    stores.forEach(s -> await(s.close()));
    await(admin.close());
    server.close();
  }

  private MessageStore open(Vertx vertx, int connections, int maxInFlight) {
    CourierConfig cfg = CourierConfig.defaults()
        .with(ConfigKeys.REDIS_URL, server.url() + "?client=" + name)
        .with(ConfigKeys.REDIS_POOL, connections)
        .with(ConfigKeys.REDIS_MAX_IN_FLIGHT, maxInFlight)
        .with(ConfigKeys.BUS_TIMEOUT_MS, 60_000);
    MessageStore s = new RedisMessageStore(vertx, cfg);
    stores.add(s);
    return s;
  }

  /** CLIENT LIST lines of the store's connections. */
  private List<String> storeClients() {
    String list = await(RedisAPI.api(admin).client(List.of("LIST"))).toString();
    return Arrays.stream(list.split("\n")).filter(l -> l.contains(" name=" + name + " ")).toList();
  }

  private static String id(String clientLine) {
    return clientLine.substring("id=".length(), clientLine.indexOf(' '));
  }

  @Test
  void manyConcurrentCallsShareTheConfiguredConnections(Vertx vertx) {
    MessageStore store = open(vertx, 2, 1024);
    String bob = Ports.uniqueName("user");
    List<Future<AppendResult>> appends = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      appends.add(store.append(bob, draft("alice", bob, "m" + i, "{}")));
    }
    await(Future.all(appends));

    assertThat(appends).extracting(f -> f.result().seq()).doesNotHaveDuplicates().hasSize(500);
    assertThat(await(store.read(bob, 0, 1000)).lastSeq()).isEqualTo(500);
    assertThat(storeClients()).hasSize(2);
  }

  /**
   * With the server stopped (SIGSTOP) nothing is answered, so every call sent stays in flight: the
   * limit's worth are held, the next one fails at once, and the held ones complete once the server
   * runs again.
   */
  @Test
  void aConnectionCarriesAtMostMaxInFlightCallsAndRefusesTheNextAtOnce(Vertx vertx) {
    MessageStore store = open(vertx, 1, 4);
    String bob = Ports.uniqueName("user");
    await(store.append(bob, draft("alice", bob, "m0", "{}")));

    server.pause();
    List<Future<AppendResult>> held = new ArrayList<>();
    Throwable refused;
    try {
      for (int i = 1; i <= 4; i++) {
        held.add(store.append(bob, draft("alice", bob, "m" + i, "{}")));
      }
      refused = failure(store.append(bob, draft("alice", bob, "m5", "{}")));
      assertThat(held).noneMatch(Future::isComplete);
    } finally {
      server.resume();
    }
    assertThat(refused).isInstanceOf(StoreUnavailableException.class).hasMessageContaining("waiting queue is full");
    assertThat(await(Future.all(held)).<AppendResult>list()).extracting(AppendResult::seq)
        .containsExactlyInAnyOrder(2L, 3L, 4L, 5L);
    // The refused call stored nothing; its resend does.
    assertThat(await(store.append(bob, draft("alice", bob, "m5", "{}")))).extracting(AppendResult::seq, AppendResult::dup)
        .containsExactly(6L, false);
  }

  @Test
  void aBatchLargerThanTheLimitIsSentInParts(Vertx vertx) {
    MessageStore store = open(vertx, 1, 4);
    String room = Ports.uniqueName("room");
    List<String> members = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      members.add(Ports.uniqueName("member"));
    }
    BatchAppendResult r = await(store.appendAll(members, roomDraft("alice", room, "r1", "{}")));
    assertThat(r.failed()).isEmpty();
    assertThat(r.appended()).extracting(BatchAppendResult.Appended::recipient).containsExactlyElementsOf(members);
    assertThat(r.appended()).allSatisfy(a -> assertThat(a.result().seq()).isEqualTo(1));
  }

  @Test
  void aKilledConnectionIsReplaced(Vertx vertx) {
    MessageStore store = open(vertx, 1, 16);
    String bob = Ports.uniqueName("user");
    await(store.append(bob, draft("alice", bob, "m1", "{}")));
    List<String> before = storeClients();
    assertThat(before).hasSize(1);

    await(RedisAPI.api(admin).client(List.of("KILL", "ID", id(before.get(0)))));
    String[] next = new String[1];
    eventually(Duration.ofSeconds(10), "a new connection serves the store", () -> {
      try {
        await(store.append(bob, draft("alice", bob, "m2", "{}")));
      } catch (StoreUnavailableException whileReplacing) {
        return false;
      }
      List<String> now = storeClients();
      next[0] = now.size() == 1 ? id(now.get(0)) : null;
      return next[0] != null;
    });
    assertThat(next[0]).isNotEqualTo(id(before.get(0)));
    assertThat(await(store.read(bob, 0, 10)).messages()).hasSize(2);
  }
}
