package io.courier.delivery.store;

import static io.courier.delivery.store.Inboxes.draft;
import static io.courier.delivery.store.Inboxes.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.HazelcastInstance;
import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.protocol.InboxMessage;
import io.courier.testing.Ports;
import io.courier.testing.TestCluster;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Appends to the same inboxes from several callers at once, several in flight per inbox, while
 * partitions move: a member joins (primaries migrate to it) and then a member is terminated (backups
 * are promoted, and partitions rebalance again). Every append answered must be in its inbox at the
 * seq it was answered with, and each inbox must hold seqs 1..n, each message once.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class HazelcastStoreMigrationTest {
  private static final int INBOXES = 40;
  /** Appends in flight per inbox at any time, each its own sender. */
  private static final int SENDERS = 3;

  private final List<TestCluster.Member> members = new ArrayList<>();

  @AfterEach
  void stop() {
    for (TestCluster.Member m : members) {
      try {
        m.vertx().close().await(10, TimeUnit.SECONDS);
      } catch (Exception alreadyDead) {
        // a terminated member's Vert.x cannot leave the cluster cleanly
      }
    }
  }

  @Test
  void concurrentAppendsWhilePartitionsMoveAreStoredOnceAtTheirAnsweredSeq() {
    CourierConfig cfg = TestCluster.config(Ports.uniqueName("store-migration"))
        .with(ConfigKeys.BUS_TIMEOUT_MS, 4000);
    TestCluster.Member a = start(TestCluster.start(cfg, "a"));
    int seed = hz(a).getCluster().getLocalMember().getAddress().getPort();
    TestCluster.Member b = start(TestCluster.join(cfg, seed, "b"));
    TestCluster.Member doomed = start(TestCluster.join(cfg, seed, "doomed"));
    Inboxes.eventually(Duration.ofSeconds(30), "partitions migrated", () -> hz(a).getPartitionService().isClusterSafe());

    List<String> users = new ArrayList<>();
    for (int i = 0; i < INBOXES; i++) {
      users.add(Ports.uniqueName("u" + i));
    }
    List<MessageStore> stores = List.of(
        new HazelcastMessageStore(a.vertx(), hz(a), cfg, a.node().presence()),
        new HazelcastMessageStore(b.vertx(), hz(b), cfg, b.node().presence()));
    List<Vertx> vertxes = List.of(a.vertx(), b.vertx());

    // user -> id -> seq answered
    Map<String, Map<String, Long>> answered = new ConcurrentHashMap<>();
    AtomicBoolean sending = new AtomicBoolean(true);
    AtomicInteger acks = new AtomicInteger();
    AtomicInteger retries = new AtomicInteger();
    List<Future<Void>> senders = new ArrayList<>();
    for (String u : users) {
      answered.put(u, new ConcurrentHashMap<>());
      for (int s = 0; s < SENDERS; s++) {
        int which = (s + users.indexOf(u)) % stores.size();
        senders.add(sendLoop(vertxes.get(which), stores.get(which), u, "s" + s, 0, sending, answered.get(u), acks,
            retries));
      }
    }

    Inboxes.eventually(Duration.ofSeconds(30), "traffic flows", () -> acks.get() >= 500);
    TestCluster.Member late = start(TestCluster.join(cfg, seed, "late"));
    int atJoin = acks.get();
    Inboxes.eventually(Duration.ofSeconds(60), "traffic during the join's migrations",
        () -> acks.get() >= atJoin + 1000);
    Inboxes.eventually(Duration.ofSeconds(60), "join migrations done", () -> hz(a).getPartitionService().isClusterSafe());
    new Thread(() -> hz(doomed).getLifecycleService().terminate(), "terminate").start();
    // isClusterSafe asks every member in the list; one that was killed but is still listed makes it
    // retry for minutes. Wait for the removal first; appends go on all along.
    Inboxes.eventually(Duration.ofSeconds(60), "killed member removed",
        () -> hz(a).getCluster().getMembers().size() == 3);
    int atKill = acks.get();
    Inboxes.eventually(Duration.ofSeconds(60), "traffic after the kill", () -> acks.get() >= atKill + 1000);
    Inboxes.eventually(Duration.ofSeconds(60), "kill migrations done", () -> hz(a).getPartitionService().isClusterSafe());
    sending.set(false);
    for (Future<Void> f : senders) {
      Inboxes.await(f);
    }

    List<String> problems = new ArrayList<>();
    for (String u : users) {
      Map<String, Long> acked = answered.get(u);
      List<InboxMessage> all = readAll(stores.get(0), u);
      Map<Long, String> bySeq = new TreeMap<>();
      for (InboxMessage m : all) {
        bySeq.put(m.seq(), m.id());
      }
      acked.forEach((id, seq) -> {
        if (!id.equals(bySeq.get(seq))) {
          problems.add(u + ": " + id + " answered seq " + seq + " but the inbox holds " + bySeq.get(seq) + " there");
        }
      });
      if (!all.stream().map(InboxMessage::seq).toList()
          .equals(LongStream.rangeClosed(1, all.size()).boxed().toList())) {
        problems.add(u + ": seqs not 1.." + all.size());
      }
      if (all.stream().map(InboxMessage::id).distinct().count() != all.size()) {
        problems.add(u + ": a message stored twice");
      }
      if (all.size() != acked.size()) {
        problems.add(u + ": " + all.size() + " stored, " + acked.size() + " answered");
      }
    }
    System.out.printf("store migration: acks=%d retries=%d members=%d%n", acks.get(), retries.get(),
        hz(late).getCluster().getMembers().size());
    assertThat(problems).isEmpty();
  }

  /** Like a client: each id is resent until answered, then the next one. */
  private Future<Void> sendLoop(Vertx vertx, MessageStore store, String user, String from, int i,
                                AtomicBoolean sending, Map<String, Long> answered, AtomicInteger acks,
                                AtomicInteger retries) {
    if (!sending.get()) {
      return Future.succeededFuture();
    }
    String id = from + "-" + i;
    InboxMessage m = draft(from, user, id, "{\"i\":" + i + "}");
    return appendUntilAnswered(vertx, store, user, m, retries).compose(r -> {
      Long earlier = answered.put(id, r.seq());
      if (earlier != null && earlier != r.seq()) {
        return Future.failedFuture(new AssertionError(id + " answered with seq " + earlier + " and " + r.seq()));
      }
      acks.incrementAndGet();
      return sendLoop(vertx, store, user, from, i + 1, sending, answered, acks, retries);
    });
  }

  private Future<AppendResult> appendUntilAnswered(Vertx vertx, MessageStore store, String user, InboxMessage m,
                                                   AtomicInteger retries) {
    return store.append(user, m).recover(err -> {
      if (!(err instanceof StoreUnavailableException)) {
        return Future.failedFuture(err);
      }
      retries.incrementAndGet();
      Promise<Void> later = Promise.promise();
      vertx.setTimer(20, t -> later.complete());
      return later.future().compose(v -> appendUntilAnswered(vertx, store, user, m, retries));
    });
  }

  private TestCluster.Member start(TestCluster.Member m) {
    members.add(m);
    return m;
  }

  private static HazelcastInstance hz(TestCluster.Member m) {
    return m.node().hazelcast();
  }
}
