package io.courier.connection.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.connection.GatewayMetrics;
import io.courier.connection.GatewaySettings;
import io.courier.connection.session.DeliveryClient;
import io.courier.connection.session.Sessions;
import io.courier.protocol.Addresses;
import io.courier.protocol.Bus;
import io.courier.protocol.ClientFrame;
import io.courier.protocol.CourierConfig;
import io.courier.protocol.InboxMessage;
import io.courier.protocol.MsgFrame;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The connection side's rollback decisions on a real Vert.x context and event bus, with a stand-in
 * delivery consumer serving reads from a list the test rewrites (the store going back): which
 * pushes need a store read, what is held meanwhile, when the connection is closed with 1012, and
 * how a sync uses its proof. The whole path with real stores: node InboxRollbackTest.
 */
class InboxRollbackStreamTest {
  private static final String EPOCH = "e1";

  private Vertx vertx;
  private Context context;
  private final List<InboxMessage> store = new CopyOnWriteArrayList<>();
  private final AtomicInteger reads = new AtomicInteger();
  /** When true, reads are kept unanswered in {@link #pending} until {@link #answerPending()}. */
  private volatile boolean holdReads;
  private final List<Message<JsonObject>> pending = new CopyOnWriteArrayList<>();
  private final List<String> written = new CopyOnWriteArrayList<>();
  private final List<String> closes = new CopyOnWriteArrayList<>();
  private GatewayMetrics metrics;
  private DeliveryClient delivery;
  private LiveStream live;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    vertx.eventBus().<JsonObject>consumer(Addresses.DELIVERY_READ, m -> {
      reads.incrementAndGet();
      if (holdReads) {
        pending.add(m);
      } else {
        answer(m);
      }
    }).completion().await();
    metrics = new GatewayMetrics(new SimpleMeterRegistry(), new Sessions(), 100);
    delivery = new DeliveryClient(vertx.eventBus(), 5_000);
    GatewaySettings settings = GatewaySettings.from(CourierConfig.defaults());
    live = on(() -> new LiveStream(context, delivery, "bob", settings, written::add,
        (code, reason) -> closes.add(code + " " + reason), metrics));
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  private void answer(Message<JsonObject> m) {
    long after = m.body().getLong(Bus.AFTER);
    int limit = m.body().getInteger(Bus.LIMIT);
    JsonArray msgs = new JsonArray();
    long last = 0;
    long first = Long.MAX_VALUE;
    for (InboxMessage s : store) {
      last = Math.max(last, s.seq());
      first = Math.min(first, s.seq());
      if (s.seq() > after && msgs.size() < limit) {
        msgs.add(s.toBus());
      }
    }
    m.reply(new JsonObject().put(Bus.V, Bus.VERSION).put(Bus.EPOCH, EPOCH).put(Bus.LAST_SEQ, last)
        .put(Bus.FIRST_AVAILABLE, store.isEmpty() ? last + 1 : first).put(Bus.MESSAGES, msgs));
  }

  private void answerPending() {
    context.runOnContext(v -> {
      for (Message<JsonObject> m : pending) {
        answer(m);
      }
      pending.clear();
    });
  }

  private <T> T on(Supplier<T> action) {
    CompletableFuture<T> f = new CompletableFuture<>();
    context.runOnContext(v -> {
      try {
        f.complete(action.get());
      } catch (RuntimeException e) {
        f.completeExceptionally(e);
      }
    });
    try {
      return f.get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private void run(Runnable action) {
    on(() -> {
      action.run();
      return null;
    });
  }

  private static InboxMessage msg(long seq, String id, long ts) {
    return new InboxMessage(seq, EPOCH, id, "alice", "bob", null, "\"" + id + "\"", ts);
  }

  private void push(InboxMessage m) {
    run(() -> live.onPush(EPOCH, MsgFrame.of(m)));
  }

  /** Stores and pushes m1..m{n} (ts = 100 * seq), acked. */
  private void deliverLive(int n) {
    deliverLive(n, true);
  }

  private void deliverLive(int n, boolean ack) {
    for (int i = 1; i <= n; i++) {
      InboxMessage m = msg(i, "m" + i, 100L * i);
      store.add(m);
      push(m);
    }
    if (ack) {
      run(() -> live.ack(n));
    }
  }

  /** The store went back to seq {@code keep} and took new messages x{keep+1}..x{upTo} (other ts). */
  private List<InboxMessage> rollBack(int keep, int upTo) {
    store.removeIf(m -> m.seq() > keep);
    List<InboxMessage> fresh = new ArrayList<>();
    for (int i = keep + 1; i <= upTo; i++) {
      InboxMessage m = msg(i, "x" + i, 1000L + i);
      store.add(m);
      fresh.add(m);
    }
    return fresh;
  }

  private void awaitCondition(Supplier<Boolean> condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!condition.get()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 5 s: " + what + "; closes " + closes + ", reads " + reads.get());
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }

  /** Lets replies already sent and their effects run: a few trips through the bus and the context. */
  private void settle() {
    for (int i = 0; i < 5; i++) {
      vertx.eventBus().request("settle-" + i, null).otherwiseEmpty().await();
      run(() -> {});
    }
  }

  @Test
  void aLateDuplicateOfAReleasedMessageNeedsNoStoreRead() {
    run(() -> live.start(EPOCH, 0));
    deliverLive(3, false);
    int before = reads.get();
    push(store.get(2));
    push(msg(2, "m2", 200));
    settle();
    assertThat(reads.get()).isEqualTo(before);
    assertThat(closes).isEmpty();
    assertThat(written).hasSize(3);
  }

  @Test
  void anotherMessageAtTheReleasedSeqClosesWith1012() {
    run(() -> live.start(EPOCH, 0));
    deliverLive(5);
    List<InboxMessage> fresh = rollBack(3, 5);
    push(fresh.get(1));
    awaitCondition(() -> !closes.isEmpty(), "closed");
    assertThat(closes).containsExactly("1012 inbox rolled back; reconnect and sync");
    assertThat(written).hasSize(5);
  }

  @Test
  void aPushBelowTheReleasedSeqWithTheStoreBehindItCloses() {
    run(() -> live.start(EPOCH, 0));
    deliverLive(5);
    List<InboxMessage> fresh = rollBack(3, 4);
    push(fresh.get(0));
    awaitCondition(() -> !closes.isEmpty(), "closed");
    assertThat(closes).containsExactly("1012 inbox rolled back; reconnect and sync");
  }

  @Test
  void whileTheStoreIsAskedNothingIsReleasedAndACleanAnswerReleasesIt() {
    run(() -> live.start(EPOCH, 0));
    deliverLive(3);
    holdReads = true;
    // seq 1 was acked and is not the last released: it cannot be matched, so the store is asked.
    push(msg(1, "m1", 100));
    awaitCondition(() -> pending.size() == 1, "one read");
    InboxMessage m4 = msg(4, "m4", 400);
    store.add(m4);
    push(m4);
    push(msg(1, "m1", 100));
    settle();
    assertThat(written).as("nothing released while the store is asked").hasSize(3);
    assertThat(pending).as("one check at a time").hasSize(1);
    holdReads = false;
    answerPending();
    awaitCondition(() -> written.size() == 4, "m4 released");
    assertThat(written.get(3)).isEqualTo(m4.toFrameText());
    assertThat(closes).isEmpty();
  }

  @Test
  void aMessageKnownFromTheSyncReplayIsComparedWithWhatTheStoreHoldsLater() {
    for (int i = 1; i <= 5; i++) {
      store.add(msg(i, "m" + i, 100L * i));
    }
    // welcome lastSeq 5: live starts after it, the client gets 1..5 from its sync
    run(() -> live.start(EPOCH, 5));
    SyncReplay sync = new SyncReplay(delivery, "bob", 500, written::add, () -> false,
        Future::succeededFuture, () -> false, metrics, live::replayed);
    on(() -> sync.run(new ClientFrame.Sync(null, 0, EPOCH))).await();
    assertThat(written).hasSize(6);
    // The store goes back to 3 and takes two new messages before any push reaches the connection:
    // its lastSeq is 5 again, only the message at 5 tells.
    List<InboxMessage> fresh = rollBack(3, 5);
    push(fresh.get(0));
    push(fresh.get(1));
    awaitCondition(() -> !closes.isEmpty(), "closed");
    assertThat(closes).containsExactly("1012 inbox rolled back; reconnect and sync");
  }

  @Test
  void aCatchUpReadShowingTheStoreBehindTheReleasedSeqCloses() {
    run(() -> live.start(EPOCH, 0));
    deliverLive(5);
    rollBack(3, 3);
    run(() -> live.catchUp());
    awaitCondition(() -> !closes.isEmpty(), "closed");
    assertThat(closes).containsExactly("1012 inbox rolled back; reconnect and sync");
  }

  @Test
  void aSyncWithAMatchingProofReadsOnceAndReplaysOnlyWhatFollows() {
    for (int i = 1; i <= 5; i++) {
      store.add(msg(i, "m" + i, 100L * i));
    }
    SyncReplay sync = new SyncReplay(delivery, "bob", 500, written::add, () -> false,
        Future::succeededFuture, () -> false, metrics, m -> {});
    on(() -> sync.run(new ClientFrame.Sync("s", 3, EPOCH, "m3", 300L))).await();
    assertThat(reads.get()).isEqualTo(1);
    assertThat(written).hasSize(3);
    assertThat(new JsonObject(written.get(0)).getString("id")).isEqualTo("m4");
    assertThat(new JsonObject(written.get(1)).getString("id")).isEqualTo("m5");
    JsonObject synced = new JsonObject(written.get(2));
    assertThat(synced.getLong("after")).isEqualTo(3);
    assertThat(synced.getLong("upTo")).isEqualTo(5);
    assertThat(synced.containsKey("reset")).isFalse();
  }

  @Test
  void aSyncWithAMatchingProofAndASmallPageGoesOnPastIt() {
    for (int i = 1; i <= 5; i++) {
      store.add(msg(i, "m" + i, 100L * i));
    }
    // A page of 1 holds only the proof's message: the replay reads on from after.
    SyncReplay sync = new SyncReplay(delivery, "bob", 1, written::add, () -> false,
        Future::succeededFuture, () -> false, metrics, m -> {});
    on(() -> sync.run(new ClientFrame.Sync("s", 3, EPOCH, "m3", null))).await();
    assertThat(written).hasSize(3);
    assertThat(new JsonObject(written.get(1)).getString("id")).isEqualTo("m5");
    assertThat(new JsonObject(written.get(2)).getLong("upTo")).isEqualTo(5);
  }

  @Test
  void aSyncWhoseProofTheStoreDoesNotHoldGetsEverythingWithReset() {
    for (int i = 1; i <= 5; i++) {
      store.add(msg(i, "m" + i, 100L * i));
    }
    rollBack(3, 5);
    SyncReplay sync = new SyncReplay(delivery, "bob", 500, written::add, () -> false,
        Future::succeededFuture, () -> false, metrics, m -> {});
    on(() -> sync.run(new ClientFrame.Sync("s", 5, EPOCH, "m5", 500L))).await();
    assertThat(written).hasSize(6);
    assertThat(written.subList(0, 5).stream().map(f -> new JsonObject(f).getString("id")).toList())
        .containsExactly("m1", "m2", "m3", "x4", "x5");
    JsonObject synced = new JsonObject(written.get(5));
    assertThat(synced.getBoolean("reset")).isTrue();
    assertThat(synced.getLong("after")).isZero();
    assertThat(synced.getLong("upTo")).isEqualTo(5);
    assertThat(synced.getString("ref")).isEqualTo("s");
  }
}
