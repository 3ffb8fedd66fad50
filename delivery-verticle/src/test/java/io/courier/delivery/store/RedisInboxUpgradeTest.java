package io.courier.delivery.store;

import static io.courier.delivery.store.Inboxes.await;
import static io.courier.delivery.store.Inboxes.draft;
import static io.courier.delivery.store.Inboxes.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import io.courier.delivery.store.redis.PreviousInboxScripts;
import io.courier.delivery.store.redis.RedisKeys;
import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.protocol.InboxMessage;
import io.courier.testing.Ports;
import io.courier.testing.RedisServer;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Inboxes written by the previous inbox scripts ({@link PreviousInboxScripts}: no first-entry ts in
 * the meta) are read and appended to by the current ones: a node upgraded in place keeps its
 * inboxes, and one not yet upgraded may write to the same inboxes meanwhile. Also the epoch checks
 * the append makes without reading the stream's top entry.
 */
@ExtendWith(VertxExtension.class)
class RedisInboxUpgradeTest {
  private static final long MAX_AGE = 60_000;
  private static RedisServer server;
  private static Vertx vertx;
  private static Redis admin;
  private final List<RedisMessageStore> opened = new ArrayList<>();

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

  @AfterEach
  void closeStores() {
    opened.forEach(s -> await(s.close()));
    opened.clear();
  }

  private RedisMessageStore store(CourierConfig cfg) {
    RedisMessageStore s = new RedisMessageStore(vertx, cfg.with(ConfigKeys.REDIS_URL, server.url()));
    opened.add(s);
    return s;
  }

  private static RedisAPI redis() {
    return RedisAPI.api(admin);
  }

  private static long xlen(String user) {
    return await(redis().xlen(RedisKeys.inbox(user))).toLong();
  }

  /** An append by the previous APPEND script, with the arguments the store passed it. */
  private static AppendResult previousAppend(RedisMessageStore store, String user, String id, long ts,
                                             long maxMessages, long cutoff) {
    List<String> keys = RedisMessageStore.appendKeys(user, draft("alice", user, id, "\"" + id + "\"", ts));
    // Explicit limits, not the store's: the previous script must leave what the test needs in place.
    List<String> args = List.of(Epochs.next(), id, "alice", "t", user, "\"" + id + "\"", Long.toString(ts),
        "86400000", Long.toString(maxMessages), Long.toString(cutoff), "512", Long.toString(MAX_AGE), "67108864");
    return await(PreviousInboxScripts.APPEND.run(store.client(), keys, args).map(
        io.courier.delivery.store.redis.InboxReplies::append));
  }

  /**
   * Two messages to {@code bob}, then the meta's seq set back to 1 (restored from an older copy):
   * the stream runs ahead of its meta. Returns the epoch before.
   */
  private static String metaBehindItsStream(RedisMessageStore store, String bob) {
    String before = await(store.append(bob, draft("alice", bob, "m1", "1"))).epoch();
    await(store.append(bob, draft("alice", bob, "m2", "2")));
    await(redis().hset(List.of(RedisKeys.meta(bob), "seq", "1")));
    return before;
  }

  private static CourierConfig ageLimited() {
    return CourierConfig.defaults().with(ConfigKeys.RETENTION_MAX_AGE_MS, MAX_AGE);
  }

  @Test
  void anInboxWrittenByThePreviousScriptsKeepsItsEpochSeqsAndDedupe() {
    RedisMessageStore store = store(CourierConfig.defaults());
    String bob = Ports.uniqueName("bob");
    long now = System.currentTimeMillis();
    String epoch = previousAppend(store, bob, "m1", now, 100_000, 0).epoch();
    previousAppend(store, bob, "m2", now, 100_000, 0);
    previousAppend(store, bob, "m3", now, 100_000, 0);

    ReadResult read = await(store.read(bob, 0, 10));
    assertThat(read.epoch()).isEqualTo(epoch);
    assertThat(read.lastSeq()).isEqualTo(3);
    assertThat(read.firstAvailable()).isEqualTo(1);
    assertThat(read.messages()).extracting(InboxMessage::id).containsExactly("m1", "m2", "m3");

    AppendResult resend = await(store.append(bob, draft("alice", bob, "m2", "\"m2\"", now)));
    assertThat(resend).extracting(AppendResult::dup, AppendResult::seq, AppendResult::epoch)
        .containsExactly(true, 2L, epoch);
    AppendResult next = await(store.append(bob, draft("alice", bob, "m4", "\"m4\"")));
    assertThat(next).extracting(AppendResult::dup, AppendResult::seq, AppendResult::epoch)
        .containsExactly(false, 4L, epoch);
    assertThat(readAll(store, bob)).extracting(InboxMessage::id).containsExactly("m1", "m2", "m3", "m4");
  }

  /** The meta written before has no first-entry ts: the append reads it from the stream and trims. */
  @Test
  void anAppendTrimsExpiredMessagesThePreviousScriptsLeft() {
    RedisMessageStore store = store(ageLimited());
    String bob = Ports.uniqueName("bob");
    long old = System.currentTimeMillis() - MAX_AGE - 1_000;
    previousAppend(store, bob, "m1", old, 100_000, 0);
    previousAppend(store, bob, "m2", old, 100_000, 0);

    assertThat(await(store.append(bob, draft("alice", bob, "m3", "3"))).seq()).isEqualTo(3);
    assertThat(xlen(bob)).as("the append itself dropped the expired ones").isEqualTo(1);
    ReadResult read = await(store.read(bob, 0, 10));
    assertThat(read.firstAvailable()).isEqualTo(3);
    assertThat(read.messages()).extracting(InboxMessage::id).containsExactly("m3");
  }

  /**
   * The first entry's ts the current script noted goes stale when a previous-version node trims the
   * front (here by the count limit): it is not trusted after that node's append.
   */
  @Test
  void aFirstEntryTsNotedBeforeAPreviousVersionTrimmedIsNotTrusted() {
    RedisMessageStore store = store(ageLimited());
    String bob = Ports.uniqueName("bob");
    long now = System.currentTimeMillis();
    await(store.append(bob, draft("alice", bob, "m1", "1", now)));
    // An older node, age limit off, count limit 1: m1 goes, m2 (already expired) is first.
    previousAppend(store, bob, "m2", now - MAX_AGE - 1_000, 1, 0);
    assertThat(xlen(bob)).isEqualTo(1);

    await(store.append(bob, draft("alice", bob, "m3", "3", now)));
    assertThat(xlen(bob)).as("m2 dropped by the append").isEqualTo(1);
    assertThat(readAll(store, bob)).extracting(InboxMessage::id).containsExactly("m3");
  }

  /** The count limit moves the first entry to an expired one: the same append drops it by age. */
  @Test
  void theCountLimitAndTheAgeLimitTrimInOneAppend() {
    RedisMessageStore store = store(ageLimited().with(ConfigKeys.RETENTION_MAX_MESSAGES, 2));
    String bob = Ports.uniqueName("bob");
    long now = System.currentTimeMillis();
    await(store.append(bob, draft("alice", bob, "m1", "1", now)));
    await(store.append(bob, draft("alice", bob, "m2", "2", now - MAX_AGE - 1_000)));
    // m2 is expired but not first: nothing dropped yet (the age trim goes from the front).
    assertThat(xlen(bob)).isEqualTo(2);

    await(store.append(bob, draft("alice", bob, "m3", "3", now)));
    assertThat(xlen(bob)).isEqualTo(1);
    assertThat(readAll(store, bob)).extracting(InboxMessage::id).containsExactly("m3");
    await(store.append(bob, draft("alice", bob, "m4", "4", now)));
    assertThat(readAll(store, bob)).extracting(InboxMessage::id).containsExactly("m3", "m4");
  }

  /** A stream ahead of its meta, found by the append's XADD rather than a read of the top entry. */
  @Test
  void aNewMessageToAMetaBehindItsStreamStartsANewEpoch() {
    RedisMessageStore store = store(CourierConfig.defaults());
    String bob = Ports.uniqueName("bob");
    String before = metaBehindItsStream(store, bob);

    AppendResult next = await(store.append(bob, draft("alice", bob, "m3", "3")));
    assertThat(next.epoch()).isNotEqualTo(before);
    assertThat(next.seq()).isEqualTo(1);
    assertThat(next.dup()).isFalse();
    assertThat(readAll(store, bob)).extracting(InboxMessage::id).containsExactly("m3");
  }

  /** A resend whose dedupe record matches a meta behind its stream is stored anew, not answered dup. */
  @Test
  void aResendToAMetaBehindItsStreamIsStoredUnderANewEpoch() {
    RedisMessageStore store = store(CourierConfig.defaults());
    String bob = Ports.uniqueName("bob");
    String before = metaBehindItsStream(store, bob);

    AppendResult resend = await(store.append(bob, draft("alice", bob, "m1", "1")));
    assertThat(resend.dup()).isFalse();
    assertThat(resend.epoch()).isNotEqualTo(before);
    assertThat(resend.seq()).isEqualTo(1);
    assertThat(readAll(store, bob)).extracting(InboxMessage::id).containsExactly("m1");
  }

  /**
   * The stream's entries above the meta's seq were all trimmed (only its last id is ahead): the
   * seqs above the meta's were given out, so the append starts a new epoch rather than reuse them
   * (the previous script's XADD failed on every append here).
   */
  @Test
  void aStreamWhoseLastIdIsAheadOfTheMetaStartsANewEpochOnAppend() {
    RedisMessageStore store = store(CourierConfig.defaults());
    String bob = Ports.uniqueName("bob");
    String before = await(store.append(bob, draft("alice", bob, "m1", "1"))).epoch();
    await(store.append(bob, draft("alice", bob, "m2", "2")));
    await(redis().xtrim(List.of(RedisKeys.inbox(bob), "MAXLEN", "0")));
    await(redis().hset(List.of(RedisKeys.meta(bob), "seq", "1")));

    AppendResult next = await(store.append(bob, draft("alice", bob, "m3", "3")));
    assertThat(next.epoch()).isNotEqualTo(before);
    assertThat(next.seq()).isEqualTo(1);
  }

  /** Other errors of the XADD are the caller's, not a reason for a new epoch. */
  @Test
  void anInboxKeyOfAnotherTypeFailsTheAppendAndKeepsTheMeta() {
    RedisMessageStore store = store(CourierConfig.defaults());
    String bob = Ports.uniqueName("bob");
    String before = await(store.append(bob, draft("alice", bob, "m1", "1"))).epoch();
    await(redis().del(List.of(RedisKeys.inbox(bob))));
    await(redis().set(List.of(RedisKeys.inbox(bob), "not a stream")));

    assertThat(Inboxes.failure(store.append(bob, draft("alice", bob, "m2", "2")))).hasMessageContaining("WRONGTYPE");
    assertThat(await(redis().hget(RedisKeys.meta(bob), "epoch")).toString()).isEqualTo(before);
    assertThat(await(redis().get(RedisKeys.inbox(bob))).toString()).isEqualTo("not a stream");
  }
}
