package io.courier.delivery.store;

import static io.courier.delivery.store.Inboxes.await;
import static io.courier.delivery.store.Inboxes.draft;
import static io.courier.delivery.store.Inboxes.failure;
import static io.courier.delivery.store.Inboxes.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.protocol.InboxMessage;
import io.courier.testing.Ports;
import io.courier.testing.TestCluster;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Member loss with one backup: nothing acknowledged is lost, nothing is stored twice. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HazelcastStoreFailoverTest {
  private static final int TOTAL = 300;
  private static final int KILL_AFTER = 150;

  private final List<TestCluster.Member> members = new ArrayList<>();

  @AfterEach
  void stop() {
    for (TestCluster.Member m : members) {
      try {
        m.vertx().close().await(10, TimeUnit.SECONDS);
      } catch (Exception alreadyDead) {
        // the terminated member's Vert.x cannot leave the cluster cleanly
      }
    }
  }

  @Test
  void losingTheOwnerOfAnInboxLosesNoAcceptedMessage() {
    CourierConfig cfg = TestCluster.config(Ports.uniqueName("store-failover"))
        .with(ConfigKeys.BUS_TIMEOUT_MS, 4000);
    TestCluster.Member owner = start(TestCluster.start(cfg, "owner"));
    TestCluster.Member survivor = start(TestCluster.join(cfg,
        hz(owner).getCluster().getLocalMember().getAddress().getPort(), "survivor"));
    assertThat(hz(survivor).getCluster().getMembers()).hasSize(2);
    // One backup protects data only once it exists: let the join's migrations finish first.
    Inboxes.eventually(Duration.ofSeconds(20), "partitions migrated", () -> hz(owner).getPartitionService().isClusterSafe());
    String bob = userOwnedBy(hz(owner));

    MessageStore viaSurvivor = new HazelcastMessageStore(survivor.vertx(), hz(survivor), cfg, survivor.node().presence());
    MessageStore viaOwner = new HazelcastMessageStore(owner.vertx(), hz(owner), cfg, owner.node().presence());
    await(Inboxes.sendSequentially(viaOwner, bob, "early", 20));

    AtomicInteger retries = new AtomicInteger();
    AtomicInteger acked = new AtomicInteger(20);
    AtomicBoolean sending = new AtomicBoolean(true);
    List<String> readProblems = new CopyOnWriteArrayList<>();
    AtomicInteger fullReads = new AtomicInteger();
    Future<Void> reader = readContinuously(survivor.vertx(), viaSurvivor, bob, sending, acked, fullReads, readProblems);
    Future<Void> sender = sendWithRetries(survivor.vertx(), viaSurvivor, bob, 0, retries, acked, () ->
        new Thread(() -> hz(owner).getLifecycleService().terminate(), "terminate-owner").start());
    await(sender.eventually(() -> {
      sending.set(false);
      return Future.succeededFuture();
    }));
    await(reader);
    assertThat(readProblems).isEmpty();
    assertThat(fullReads.get()).isPositive();

    Inboxes.eventually(Duration.ofSeconds(10), "survivor owns the inbox", () -> ownedBy(hz(survivor), bob));
    List<InboxMessage> all = readAll(viaSurvivor, bob);
    assertThat(all).extracting(InboxMessage::seq)
        .containsExactlyElementsOf(LongStream.rangeClosed(1, 20 + TOTAL).boxed().toList());
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      expected.add("early-" + i);
    }
    for (int i = 0; i < TOTAL; i++) {
      expected.add("late-" + i);
    }
    assertThat(all).extracting(InboxMessage::id).containsExactlyElementsOf(expected);
    assertThat(await(viaSurvivor.append(bob, draft("late", bob, "late-0", "0"))).dup()).isTrue();

    assertThat(failure(viaOwner.append(bob, draft("x", bob, "after-death", "0"))))
        .isInstanceOf(StoreUnavailableException.class);
  }

  /** Like a client: resend the same id until accepted, then the next one; kill the owner midway. */
  private Future<Void> sendWithRetries(Vertx vertx, MessageStore store, String user, int i,
                                       AtomicInteger retries, AtomicInteger acked, Runnable kill) {
    if (i == TOTAL) {
      return Future.succeededFuture();
    }
    if (i == KILL_AFTER) {
      kill.run();
    }
    InboxMessage m = draft("late", user, "late-" + i, "{\"i\":" + i + "}");
    return appendUntilAccepted(vertx, store, user, m, retries).compose(r -> {
      acked.incrementAndGet();
      return sendWithRetries(vertx, store, user, i + 1, retries, acked, kill);
    });
  }

  /**
   * Like a client syncing from 0 again and again while the owner dies: every complete read must be
   * gapless from seq 1 and hold at least what was acknowledged before it began. Failed reads
   * (unavailable during the fail-over) are simply repeated.
   */
  private Future<Void> readContinuously(Vertx vertx, MessageStore store, String user, AtomicBoolean sending,
                                        AtomicInteger acked, AtomicInteger fullReads, List<String> problems) {
    if (!sending.get()) {
      return Future.succeededFuture();
    }
    int mustSee = acked.get();
    return readFrom(store, user, 0, new ArrayList<>()).transform(ar -> {
      if (ar.succeeded()) {
        fullReads.incrementAndGet();
        List<InboxMessage> got = ar.result();
        for (int i = 0; i < got.size(); i++) {
          if (got.get(i).seq() != i + 1) {
            problems.add("gap: position " + i + " holds seq " + got.get(i).seq());
            break;
          }
        }
        if (got.size() < mustSee) {
          problems.add("read " + got.size() + " messages after " + mustSee + " were acknowledged");
        }
      }
      return Inboxes.delay(vertx, 5).compose(v -> readContinuously(vertx, store, user, sending, acked, fullReads, problems));
    });
  }

  private Future<List<InboxMessage>> readFrom(MessageStore store, String user, long after, List<InboxMessage> acc) {
    return store.read(user, after, 64).compose(page -> {
      if (page.messages().isEmpty()) {
        return Future.succeededFuture(acc);
      }
      acc.addAll(page.messages());
      return readFrom(store, user, page.messages().get(page.messages().size() - 1).seq(), acc);
    });
  }

  private Future<AppendResult> appendUntilAccepted(Vertx vertx, MessageStore store, String user,
                                                   InboxMessage m, AtomicInteger retries) {
    return store.append(user, m).recover(err -> {
      if (!(err instanceof StoreUnavailableException) || retries.incrementAndGet() > 100) {
        return Future.failedFuture(err);
      }
      return Inboxes.delay(vertx, 50).compose(v -> appendUntilAccepted(vertx, store, user, m, retries));
    });
  }

  private TestCluster.Member start(TestCluster.Member m) {
    members.add(m);
    return m;
  }

  private static HazelcastInstance hz(TestCluster.Member m) {
    return m.node().hazelcast();
  }

  private static String userOwnedBy(HazelcastInstance owner) {
    while (true) {
      String u = Ports.uniqueName("user");
      if (ownedBy(owner, u)) {
        return u;
      }
    }
  }

  /** The inbox maps partition by the user id itself (the text after the first '@' of every key). */
  private static boolean ownedBy(HazelcastInstance hz, String user) {
    Member owner = hz.getPartitionService().getPartition(user).getOwner();
    return owner != null && owner.localMember();
  }
}
