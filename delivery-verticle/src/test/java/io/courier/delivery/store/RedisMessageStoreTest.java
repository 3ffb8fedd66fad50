package io.courier.delivery.store;

import static io.courier.delivery.store.Inboxes.await;
import static io.courier.delivery.store.Inboxes.draft;
import static io.courier.delivery.store.Inboxes.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import io.courier.delivery.store.redis.RedisKeys;
import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.protocol.InboxMessage;
import io.courier.testing.RedisServer;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The contract on a real redis-server of the test's own (never the machine's 6379). */
@ExtendWith(VertxExtension.class)
class RedisMessageStoreTest extends MessageStoreContractTest {
  private static RedisServer server;
  private static Vertx vertx;
  private static Redis admin;

  @BeforeAll
  static void startRedis(Vertx v) {
    vertx = v;
    server = RedisServer.start();
    admin = Redis.createClient(vertx, server.url());
  }

  @AfterAll
  static void stopRedis() {
    await(admin.close());
    server.close();
  }

  @Override
  protected MessageStore newStore(CourierConfig cfg, int instance) {
    return new RedisMessageStore(vertx, cfg);
  }

  @Override
  protected Vertx vertx(int instance) {
    return vertx;
  }

  @Override
  protected CourierConfig config() {
    return CourierConfig.defaults().with(ConfigKeys.REDIS_URL, server.url()).with(ConfigKeys.REDIS_POOL, 4);
  }

  private static RedisAPI redis() {
    return RedisAPI.api(admin);
  }

  @Test
  void tagsAreEscapedSoDistinctUsersNeverShareKeys() {
    assertThat(RedisKeys.tag("a}b")).isEqualTo("a%7Db");
    assertThat(RedisKeys.tag("a%7Db")).isEqualTo("a%257Db");
    assertThat(RedisKeys.meta("{x}")).isEqualTo("courier:{{x%7D}:meta");
    assertThat(RedisKeys.dedupe("u", "a@b", "1")).startsWith("courier:{u}:dd:").doesNotContain("@");
  }

  @Test
  void dataLossStartsANewEpochFromSeqOne() {
    MessageStore store = open();
    String bob = user();
    String before = await(Inboxes.sendSequentially(store, bob, "alice", 3)
        .compose(v -> store.read(bob, 0, 0))).epoch();
    await(redis().flushall(List.of()));

    ReadResult after = await(store.read(bob, 0, 10));
    assertThat(after.epoch()).isNotEqualTo(before);
    assertThat(after.lastSeq()).isZero();
    assertThat(after.messages()).isEmpty();
    AppendResult again = await(store.append(bob, draft("alice", bob, "alice-0", "{}")));
    assertThat(again).extracting(AppendResult::seq, AppendResult::epoch, AppendResult::dup)
        .containsExactly(1L, after.epoch(), false);
  }

  @Test
  void aStreamWithoutItsMetaIsDiscardedWithANewEpoch() {
    MessageStore store = open();
    String bob = user();
    String before = await(store.append(bob, draft("alice", bob, "m1", "1"))).epoch();
    await(store.append(bob, draft("alice", bob, "m2", "2")));
    await(redis().del(List.of(RedisKeys.meta(bob))));

    AppendResult next = await(store.append(bob, draft("alice", bob, "m3", "3")));
    assertThat(next.epoch()).isNotEqualTo(before);
    assertThat(next.seq()).isEqualTo(1);
    assertThat(readAll(store, bob)).extracting(InboxMessage::id).containsExactly("m3");
  }

  /** A meta older than its stream (restored from an older copy) must not reuse seqs. */
  @Test
  void aMetaBehindItsStreamStartsANewEpoch() {
    MessageStore store = open();
    String bob = user();
    String before = await(store.append(bob, draft("alice", bob, "m1", "1"))).epoch();
    await(store.append(bob, draft("alice", bob, "m2", "2")));
    await(redis().hset(List.of(RedisKeys.meta(bob), "seq", "1")));

    ReadResult r = await(store.read(bob, 0, 10));
    assertThat(r.epoch()).isNotEqualTo(before);
    assertThat(r.lastSeq()).isZero();
    assertThat(r.messages()).isEmpty();
  }

  @Test
  void scriptsAreResentAfterTheServerForgotThem() {
    MessageStore store = open();
    String bob = user();
    await(store.append(bob, draft("alice", bob, "m1", "1")));
    await(redis().script(List.of("FLUSH")));
    assertThat(await(store.append(bob, draft("alice", bob, "m2", "2"))).seq()).isEqualTo(2);
    await(redis().script(List.of("FLUSH")));
    assertThat(await(store.read(bob, 0, 10)).messages()).hasSize(2);
  }

  @Test
  void dedupeRecordsExpireOnTheirOwn() {
    MessageStore store = open();
    String bob = user();
    await(store.append(bob, draft("al ice", bob, "m1", "1")));
    long ttl = await(redis().pttl(RedisKeys.dedupe(bob, "al ice", "m1"))).toLong();
    assertThat(ttl).isBetween(86_000_000L, 86_400_000L);
  }
}
