package io.courier.delivery.store;

import static io.courier.delivery.store.Inboxes.await;
import static io.courier.delivery.store.Inboxes.draft;
import static io.courier.delivery.store.Inboxes.eventually;
import static io.courier.delivery.store.Inboxes.failure;
import static io.courier.delivery.store.Inboxes.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.protocol.InboxMessage;
import io.courier.testing.Ports;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What every {@link MessageStore} must do. Each test uses its own recipients, so tests share the
 * backing store (cluster or server) but no state.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class MessageStoreContractTest {
  private final List<MessageStore> opened = new ArrayList<>();

  /** A store on the backing service; {@code instance} 0 and 1 are separate clients (or members). */
  protected abstract MessageStore newStore(CourierConfig cfg, int instance);

  /** The Vert.x instance stores of {@code instance} run on. */
  protected abstract Vertx vertx(int instance);

  /** Settings pointing at the backing service; tests add retention and dedupe settings. */
  protected abstract CourierConfig config();

  protected final MessageStore open(CourierConfig cfg, int instance) {
    MessageStore s = newStore(cfg, instance);
    opened.add(s);
    return s;
  }

  protected final MessageStore open() {
    return open(config(), 0);
  }

  @AfterEach
  void closeStores() {
    for (MessageStore s : opened) {
      await(s.close());
    }
    opened.clear();
  }

  protected static String user() {
    return Ports.uniqueName("user");
  }

  @Test
  void seqsStartAtOneAndHaveNoGaps() {
    MessageStore store = open();
    String bob = user();
    String epoch = null;
    long base = System.currentTimeMillis();
    for (int i = 1; i <= 5; i++) {
      long ts = base + i;
      AppendResult r = await(store.append(bob, draft("alice", bob, "m" + i, "{\"i\":" + i + "}", ts)));
      assertThat(r.seq()).isEqualTo(i);
      assertThat(r.dup()).isFalse();
      assertThat(r.ts()).isEqualTo(ts);
      epoch = epoch == null ? r.epoch() : epoch;
      assertThat(r.epoch()).isEqualTo(epoch);
    }
    ReadResult page = await(store.read(bob, 0, 100));
    assertThat(page.epoch()).isEqualTo(epoch);
    assertThat(page.lastSeq()).isEqualTo(5);
    assertThat(page.firstAvailable()).isEqualTo(1);
    assertThat(page.messages()).extracting(InboxMessage::seq).containsExactly(1L, 2L, 3L, 4L, 5L);
    InboxMessage third = page.messages().get(2);
    assertThat(third).isEqualTo(new InboxMessage(3, epoch, "m3", "alice", bob, null, "{\"i\":3}", base + 3));
  }

  @Test
  void concurrentSendersThroughTwoStoresGetUniqueGaplessSeqs() {
    MessageStore first = open(config(), 0);
    MessageStore second = open(config(), 1);
    String bob = user();
    List<Future<Void>> senders = new ArrayList<>();
    for (int k = 0; k < 4; k++) {
      senders.add(Inboxes.sendSequentially(k % 2 == 0 ? first : second, bob, "s" + k, 250));
    }
    await(Future.all(senders));

    List<InboxMessage> all = readAll(first, bob);
    assertThat(all).extracting(InboxMessage::seq)
        .containsExactlyElementsOf(LongStream.rangeClosed(1, 1000).boxed().toList());
    for (int k = 0; k < 4; k++) {
      String from = "s" + k;
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < 250; i++) {
        expected.add(from + "-" + i);
      }
      assertThat(all.stream().filter(m -> m.from().equals(from)).map(InboxMessage::id))
          .as("sender %s in seq order", from).containsExactlyElementsOf(expected);
    }
    assertThat(await(second.read(bob, 1000, 10)).lastSeq()).isEqualTo(1000);
  }

  @Test
  void resendIsAnsweredWithTheOriginalAndStoresNothing() {
    MessageStore store = open();
    String bob = user();
    long ts = System.currentTimeMillis();
    AppendResult original = await(store.append(bob, draft("alice", bob, "x", "\"first\"", ts)));
    await(store.append(bob, draft("alice", bob, "y", "\"other\"", ts + 1)));

    AppendResult again = await(store.append(bob, draft("alice", bob, "x", "\"changed\"", ts + 2)));
    assertThat(again).isEqualTo(new AppendResult(original.seq(), original.epoch(), ts, true));

    List<InboxMessage> all = readAll(store, bob);
    assertThat(all).extracting(InboxMessage::id).containsExactly("x", "y");
    assertThat(all.get(0).bodyJson()).isEqualTo("\"first\"");
    assertThat(await(store.read(bob, 0, 0)).lastSeq()).isEqualTo(2);
  }

  @Test
  void dedupeIsPerSenderAndPerRecipient() {
    MessageStore store = open();
    String bob = user();
    String carol = user();
    await(store.append(bob, draft("alice", bob, "same", "1")));
    AppendResult otherSender = await(store.append(bob, draft("dave", bob, "same", "2")));
    AppendResult otherRecipient = await(store.append(carol, draft("alice", carol, "same", "3")));
    assertThat(otherSender.dup()).isFalse();
    assertThat(otherSender.seq()).isEqualTo(2);
    assertThat(otherRecipient.dup()).isFalse();
    assertThat(otherRecipient.seq()).isEqualTo(1);
  }

  @Test
  void dedupeRecordExpiresAfterTheWindow() {
    MessageStore store = open(config().with(ConfigKeys.DEDUPE_WINDOW_MS, 1500), 0);
    String bob = user();
    assertThat(await(store.append(bob, draft("alice", bob, "x", "1"))).seq()).isEqualTo(1);
    assertThat(await(store.append(bob, draft("alice", bob, "x", "1"))).dup()).isTrue();

    AppendResult[] last = new AppendResult[1];
    eventually(Duration.ofSeconds(5), "resend accepted as new after the window", () -> {
      last[0] = await(store.append(bob, draft("alice", bob, "x", "1")));
      return !last[0].dup();
    });
    assertThat(last[0].seq()).isEqualTo(2);
    assertThat(readAll(store, bob)).extracting(InboxMessage::seq).containsExactly(1L, 2L);
  }

  @Test
  void readsPageInSeqOrder() {
    MessageStore store = open();
    String bob = user();
    await(Inboxes.sendSequentially(store, bob, "alice", 25));

    assertThat(await(store.read(bob, 0, 10)).messages()).extracting(InboxMessage::seq)
        .containsExactlyElementsOf(LongStream.rangeClosed(1, 10).boxed().toList());
    assertThat(await(store.read(bob, 10, 10)).messages()).extracting(InboxMessage::seq)
        .containsExactlyElementsOf(LongStream.rangeClosed(11, 20).boxed().toList());
    ReadResult tail = await(store.read(bob, 20, 10));
    assertThat(tail.messages()).extracting(InboxMessage::seq).containsExactly(21L, 22L, 23L, 24L, 25L);
    assertThat(tail.messages()).extracting(InboxMessage::id)
        .containsExactly("alice-20", "alice-21", "alice-22", "alice-23", "alice-24");

    ReadResult headOnly = await(store.read(bob, 3, 0));
    assertThat(headOnly.messages()).isEmpty();
    assertThat(headOnly.lastSeq()).isEqualTo(25);
    assertThat(headOnly.epoch()).isEqualTo(tail.epoch());
  }

  @Test
  void readingPastTheLastSeqReturnsNothing() {
    MessageStore store = open();
    String bob = user();
    await(Inboxes.sendSequentially(store, bob, "alice", 3));
    for (long after : new long[] {3, 4, 1000, Long.MAX_VALUE}) {
      ReadResult r = await(store.read(bob, after, 10));
      assertThat(r.messages()).as("after %d", after).isEmpty();
      assertThat(r.lastSeq()).isEqualTo(3);
    }
  }

  @Test
  void anEmptyInboxHasAStableEpochAndLastSeqZero() {
    MessageStore store = open();
    String bob = user();
    ReadResult first = await(store.read(bob, 0, 10));
    ReadResult second = await(open(config(), 1).read(bob, 0, 10));
    assertThat(first.lastSeq()).isZero();
    assertThat(first.firstAvailable()).isEqualTo(1);
    assertThat(first.messages()).isEmpty();
    assertThat(first.epoch()).isNotBlank();
    assertThat(second.epoch()).isEqualTo(first.epoch());
    assertThat(second.lastSeq()).isZero();

    AppendResult appended = await(store.append(bob, draft("alice", bob, "a", "1")));
    assertThat(appended.epoch()).isEqualTo(first.epoch());
    assertThat(appended.seq()).isEqualTo(1);
  }

  @Test
  void countRetentionDropsTheOldestExactly() {
    MessageStore store = open(config().with(ConfigKeys.RETENTION_MAX_MESSAGES, 5), 0);
    String bob = user();
    await(Inboxes.sendSequentially(store, bob, "alice", 8));

    ReadResult all = await(store.read(bob, 0, 100));
    assertThat(all.lastSeq()).isEqualTo(8);
    assertThat(all.firstAvailable()).isEqualTo(4);
    assertThat(all.messages()).extracting(InboxMessage::seq).containsExactly(4L, 5L, 6L, 7L, 8L);
    assertThat(await(store.read(bob, 2, 100)).messages()).extracting(InboxMessage::seq)
        .containsExactly(4L, 5L, 6L, 7L, 8L);

    await(store.append(bob, draft("alice", bob, "ninth", "9")));
    ReadResult later = await(store.read(bob, 0, 100));
    assertThat(later.firstAvailable()).isEqualTo(5);
    assertThat(later.messages()).extracting(InboxMessage::seq).containsExactly(5L, 6L, 7L, 8L, 9L);
  }

  /** A JSON string body of exactly {@code bytes} UTF-8 bytes ({@code bytes} >= 2). */
  private static String bodyOfBytes(int bytes) {
    return "\"" + "x".repeat(bytes - 2) + "\"";
  }

  @Test
  void byteRetentionDropsTheOldestUntilTheBodiesFit() {
    MessageStore store = open(config().with(ConfigKeys.RETENTION_MAX_BYTES, 100), 0);
    String bob = user();
    for (int i = 1; i <= 5; i++) {
      await(store.append(bob, draft("alice", bob, "m" + i, bodyOfBytes(30))));
    }
    ReadResult all = await(store.read(bob, 0, 100));
    assertThat(all.lastSeq()).isEqualTo(5);
    assertThat(all.firstAvailable()).isEqualTo(3);
    assertThat(all.messages()).extracting(InboxMessage::seq).containsExactly(3L, 4L, 5L);

    // Bytes, not characters: 24 two-byte characters and the quotes are 50 bytes.
    String wide = "\"" + "\u00e9".repeat(24) + "\"";
    await(store.append(bob, draft("alice", bob, "m6", wide)));
    ReadResult later = await(store.read(bob, 0, 100));
    assertThat(later.firstAvailable()).isEqualTo(5);
    assertThat(later.messages()).extracting(InboxMessage::seq).containsExactly(5L, 6L);
    assertThat(later.messages().get(1).bodyJson()).isEqualTo(wide);
  }

  @Test
  void aMessageLargerThanTheByteLimitIsKeptAloneAndTheCountHeals() {
    MessageStore store = open(config().with(ConfigKeys.RETENTION_MAX_BYTES, 50), 0);
    String bob = user();
    await(store.append(bob, draft("alice", bob, "small", bodyOfBytes(30))));
    await(store.append(bob, draft("alice", bob, "big", bodyOfBytes(80))));
    ReadResult page = await(store.read(bob, 0, 100));
    assertThat(page.firstAvailable()).isEqualTo(2);
    assertThat(page.messages()).extracting(InboxMessage::id).containsExactly("big");

    // The big one alone counts 80 bytes: the next small one pushes it out and is counted alone.
    await(store.append(bob, draft("alice", bob, "next", bodyOfBytes(20))));
    await(store.append(bob, draft("alice", bob, "last", bodyOfBytes(20))));
    ReadResult after = await(store.read(bob, 0, 100));
    assertThat(after.firstAvailable()).isEqualTo(3);
    assertThat(after.messages()).extracting(InboxMessage::id).containsExactly("next", "last");
  }

  @Test
  void countRetentionTakesItsMessagesOffTheByteCount() {
    MessageStore store = open(config().with(ConfigKeys.RETENTION_MAX_MESSAGES, 2)
        .with(ConfigKeys.RETENTION_MAX_BYTES, 100), 0);
    String bob = user();
    for (int i = 1; i <= 6; i++) {
      await(store.append(bob, draft("alice", bob, "m" + i, bodyOfBytes(40))));
    }
    // Had the count limit's drops stayed in the byte count, the byte limit would drop seq 5 too.
    ReadResult page = await(store.read(bob, 0, 100));
    assertThat(page.firstAvailable()).isEqualTo(5);
    assertThat(page.messages()).extracting(InboxMessage::seq).containsExactly(5L, 6L);
  }

  @Test
  void theByteLimitIsOffAtZero() {
    MessageStore store = open(config().with(ConfigKeys.RETENTION_MAX_BYTES, 0), 0);
    String bob = user();
    for (int i = 1; i <= 4; i++) {
      await(store.append(bob, draft("alice", bob, "m" + i, bodyOfBytes(60_000))));
    }
    assertThat(await(store.read(bob, 0, 100)).firstAvailable()).isEqualTo(1);
  }

  @Test
  void messagesOlderThanTheMaxAgeAreDropped() {
    long maxAge = 3000;
    MessageStore store = open(config().with(ConfigKeys.RETENTION_MAX_AGE_MS, maxAge), 0);
    String bob = user();
    long now = System.currentTimeMillis();
    for (int i = 1; i <= 3; i++) {
      await(store.append(bob, draft("alice", bob, "old" + i, "1", now - maxAge + 200)));
    }
    for (int i = 4; i <= 5; i++) {
      await(store.append(bob, draft("alice", bob, "new" + i, "1", now)));
    }

    ReadResult[] page = new ReadResult[1];
    eventually(Duration.ofSeconds(2), "old messages expired", () -> {
      page[0] = await(store.read(bob, 0, 100));
      return page[0].firstAvailable() == 4;
    });
    assertThat(page[0].lastSeq()).isEqualTo(5);
    assertThat(page[0].messages()).extracting(InboxMessage::seq).containsExactly(4L, 5L);
    assertThat(await(store.read(bob, 1, 100)).messages()).extracting(InboxMessage::seq).containsExactly(4L, 5L);
  }

  @Test
  void recipientsAreIndependent() {
    MessageStore store = open();
    String bob = user();
    String carol = user();
    for (int i = 1; i <= 3; i++) {
      assertThat(await(store.append(bob, draft("alice", bob, "b" + i, "1"))).seq()).isEqualTo(i);
      assertThat(await(store.append(carol, draft("alice", carol, "c" + i, "1"))).seq()).isEqualTo(i);
    }
    List<InboxMessage> bobs = readAll(store, bob);
    List<InboxMessage> carols = readAll(store, carol);
    assertThat(bobs).extracting(InboxMessage::id).containsExactly("b1", "b2", "b3");
    assertThat(carols).extracting(InboxMessage::id).containsExactly("c1", "c2", "c3");
    assertThat(bobs.get(0).epoch()).isNotEqualTo(carols.get(0).epoch());
  }

  @Test
  void unusualUserIdsGetTheirOwnInboxes() {
    MessageStore store = open();
    String suffix = Ports.uniqueName("");
    List<String> users = List.of("bob@example.com" + suffix, "a@b@c" + suffix, "a}b" + suffix,
        "a%7Db" + suffix, "{x}" + suffix, "ユーザー 名" + suffix, "h" + suffix);
    for (String u : users) {
      assertThat(await(store.append(u, draft("alice", u, "only", "\"" + u + "\""))).seq()).as(u).isEqualTo(1);
    }
    for (String u : users) {
      List<InboxMessage> msgs = readAll(store, u);
      assertThat(msgs).as(u).hasSize(1);
      assertThat(msgs.get(0).to()).isEqualTo(u);
    }
  }

  @Test
  void bodiesAndFieldsComeBackExactly() {
    MessageStore store = open();
    String bob = user();
    List<String> bodies = List.of(
        "null",
        "{\"a\":{\"b\":[1,2,{\"c\":null}],\"d\":true},\"e\":-0.5e10}",
        "\"h\\u00e9llo w\u00f6rld \ud83d\ude00 \u4e2d\u6587 \\\"quoted\\\" \\\\ \\n\"",
        "  [ 1 ,\t2 ]  ",
        "\"\"",
        "123.4500",
        "{\"big\":\"" + "x".repeat(60_000) + "\"}");
    for (int i = 0; i < bodies.size(); i++) {
      await(store.append(bob, draft("al@ice \u00e9", bob, "id-\u00fc-" + i, bodies.get(i))));
    }
    await(store.append(bob, Inboxes.roomDraft("alice", "r-1}", "room-msg", "{}")));

    List<InboxMessage> all = readAll(store, bob);
    assertThat(all).hasSize(bodies.size() + 1);
    for (int i = 0; i < bodies.size(); i++) {
      InboxMessage m = all.get(i);
      assertThat(m.bodyJson()).isEqualTo(bodies.get(i));
      assertThat(m.from()).isEqualTo("al@ice \u00e9");
      assertThat(m.id()).isEqualTo("id-\u00fc-" + i);
      assertThat(m.to()).isEqualTo(bob);
      assertThat(m.room()).isNull();
    }
    InboxMessage roomMsg = all.get(bodies.size());
    assertThat(roomMsg.room()).isEqualTo("r-1}");
    assertThat(roomMsg.to()).isNull();
  }

  @Test
  void resultsArriveOnTheCallersContext() throws Exception {
    MessageStore store = open();
    String bob = user();
    Context ctx = vertx(0).getOrCreateContext();
    CompletableFuture<List<Boolean>> onCaller = new CompletableFuture<>();
    ctx.runOnContext(v -> store.append(bob, draft("alice", bob, "m1", "1"))
        .compose(r -> {
          boolean appended = Vertx.currentContext() == ctx;
          return store.read(bob, 0, 10).map(p -> List.of(appended, Vertx.currentContext() == ctx));
        })
        .onComplete(ar -> {
          if (ar.succeeded()) {
            onCaller.complete(ar.result());
          } else {
            onCaller.completeExceptionally(ar.cause());
          }
        }));
    assertThat(onCaller.get(20, TimeUnit.SECONDS)).containsExactly(true, true);
  }

  // ---- room fan-out: appendAll ---------------------------------------------------------------

  @Test
  void aFanOutGivesEveryRecipientItsOwnSeqWithTheRoomSet() {
    MessageStore store = open();
    String a = user();
    String b = user();
    String c = user();
    await(Inboxes.sendSequentially(store, b, "dave", 2));
    InboxMessage draft = Inboxes.roomDraft("alice", "lobby}1", "r-1", "{\"text\":\"hi all\"}");

    BatchAppendResult r = await(store.appendAll(List.of(a, b, c), draft));
    assertThat(r.complete()).isTrue();
    assertThat(r.appended()).extracting(BatchAppendResult.Appended::recipient).containsExactlyInAnyOrder(a, b, c);
    for (BatchAppendResult.Appended x : r.appended()) {
      assertThat(x.result().seq()).as(x.recipient()).isEqualTo(x.recipient().equals(b) ? 3 : 1);
      assertThat(x.result().dup()).isFalse();
      assertThat(x.result().ts()).isEqualTo(draft.ts());
    }
    for (String u : List.of(a, b, c)) {
      List<InboxMessage> all = readAll(store, u);
      InboxMessage m = all.get(all.size() - 1);
      assertThat(m.room()).isEqualTo("lobby}1");
      assertThat(m.to()).isNull();
      assertThat(m.from()).isEqualTo("alice");
      assertThat(m.id()).isEqualTo("r-1");
      assertThat(m.bodyJson()).isEqualTo("{\"text\":\"hi all\"}");
      assertThat(m.ts()).isEqualTo(draft.ts());
      assertThat(m.epoch()).isEqualTo(await(store.read(u, 0, 0)).epoch());
    }
  }

  @Test
  void aRepeatedFanOutIsDupEverywhereAndStoresNothing() {
    MessageStore store = open();
    List<String> members = List.of(user(), user(), user(), user());
    InboxMessage draft = Inboxes.roomDraft("alice", "lobby", "r-1", "1");
    BatchAppendResult first = await(store.appendAll(members, draft));
    InboxMessage resent = new InboxMessage(0, null, "r-1", "alice", null, "lobby", "1", draft.ts() + 500);
    BatchAppendResult again = await(store.appendAll(members, resent));

    assertThat(again.complete()).isTrue();
    for (BatchAppendResult.Appended x : again.appended()) {
      AppendResult original = first.appended().stream().filter(f -> f.recipient().equals(x.recipient())).findFirst()
          .orElseThrow().result();
      assertThat(x.result()).isEqualTo(new AppendResult(original.seq(), original.epoch(), draft.ts(), true));
    }
    for (String u : members) {
      assertThat(readAll(store, u)).hasSize(1);
    }
  }

  /** A fan-out that failed halfway is repeated whole: the copies already there answer dup, the others are stored once. */
  @Test
  void aRepeatedPartialFanOutStoresOnlyTheMissingCopies() {
    MessageStore store = open();
    String a = user();
    String b = user();
    String c = user();
    InboxMessage draft = Inboxes.roomDraft("alice", "lobby", "r-9", "\"x\"");
    AppendResult early = await(store.append(b, draft));
    await(store.append(b, Inboxes.draft("dave", b, "later", "2")));

    BatchAppendResult r = await(store.appendAll(List.of(a, b, c), draft));
    assertThat(r.complete()).isTrue();
    for (BatchAppendResult.Appended x : r.appended()) {
      if (x.recipient().equals(b)) {
        assertThat(x.result()).isEqualTo(new AppendResult(early.seq(), early.epoch(), early.ts(), true));
      } else {
        assertThat(x.result().dup()).isFalse();
        assertThat(x.result().seq()).isEqualTo(1);
      }
    }
    assertThat(readAll(store, b)).extracting(InboxMessage::id).containsExactly("r-9", "later");
    assertThat(readAll(store, a)).extracting(InboxMessage::id).containsExactly("r-9");
    assertThat(readAll(store, c)).extracting(InboxMessage::id).containsExactly("r-9");
  }

  @Test
  void concurrentFanOutsThroughTwoStoresKeepEveryInboxGapless() {
    MessageStore first = open(config(), 0);
    MessageStore second = open(config(), 1);
    List<String> members = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      members.add(user());
    }
    List<Future<BatchAppendResult>> sends = new ArrayList<>();
    for (int k = 0; k < 6; k++) {
      MessageStore via = k % 2 == 0 ? first : second;
      sends.add(via.appendAll(members, Inboxes.roomDraft("s" + k, "big", "m" + k, "{\"k\":" + k + "}")));
    }
    await(Future.all(sends));
    for (Future<BatchAppendResult> f : sends) {
      assertThat(f.result().complete()).isTrue();
      assertThat(f.result().appended()).hasSize(150);
    }
    for (String u : members) {
      List<InboxMessage> all = readAll(first, u);
      assertThat(all).extracting(InboxMessage::seq).as(u).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
      assertThat(all).extracting(InboxMessage::id).as(u).containsExactlyInAnyOrder("m0", "m1", "m2", "m3", "m4", "m5");
    }
  }

  @Test
  void aFanOutNamesEachRecipientOnceAndAcceptsNone() {
    MessageStore store = open();
    String a = user();
    InboxMessage draft = Inboxes.roomDraft("alice", "lobby", "r-1", "1");
    assertThat(failure(store.appendAll(List.of(a, a), draft))).isInstanceOf(IllegalArgumentException.class);
    assertThat(failure(store.appendAll(List.of(a, ""), draft))).isInstanceOf(IllegalArgumentException.class);
    assertThat(await(store.read(a, 0, 0)).lastSeq()).isZero();
    BatchAppendResult none = await(store.appendAll(List.of(), draft));
    assertThat(none.appended()).isEmpty();
    assertThat(none.complete()).isTrue();
  }

  @Test
  void invalidArgumentsFailWithoutTouchingTheStore() {
    MessageStore store = open();
    assertThat(failure(store.read("", 0, 10))).isInstanceOf(IllegalArgumentException.class);
    assertThat(failure(store.read(user(), -1, 10))).isInstanceOf(IllegalArgumentException.class);
    assertThat(failure(store.read(user(), 0, -1))).isInstanceOf(IllegalArgumentException.class);
    String bob = user();
    InboxMessage both = new InboxMessage(0, null, "x", "alice", bob, "room", "1", 1);
    assertThat(failure(store.append(bob, both))).isInstanceOf(IllegalArgumentException.class);
  }
}
