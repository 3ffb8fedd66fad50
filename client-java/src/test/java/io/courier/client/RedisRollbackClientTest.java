package io.courier.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.node.CourierNode;
import io.courier.node.InProcessNodes;
import io.courier.protocol.ConfigKeys;
import io.courier.protocol.InboxMessage;
import io.courier.testing.Nodes;
import io.courier.testing.RedisServer;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Java client across a real rolled-back inbox: a node on a real {@code redis-server}, messages
 * 1-3 to bob, an RDB snapshot, 4-5 received and acked by bob's client, Redis SIGKILLed and started
 * again from the older snapshot (seqs 4 and 5 are free again in the same epoch), two new sends. Bob's
 * client must deliver both new messages exactly once and report {@link InboxLoss.Reason#ROLLBACK}.
 */
class RedisRollbackClientTest {
  @RegisterExtension
  static final Nodes<CourierNode> nodes = InProcessNodes.named("rollback");

  private final Vertx vertx = Vertx.vertx();
  private final List<AutoCloseable> closeAfter = new ArrayList<>();
  private RedisServer redis;
  private CourierNode node;

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable c : closeAfter) {
      c.close();
    }
    vertx.close().await();
  }

  private TestUser user(String name) {
    TestUser u = new TestUser(vertx, name + "-" + UUID.randomUUID().toString().substring(0, 8), nodes.secret(), List.of(),
        TestUser.options(node.port()).setAckDelayMs(0));
    closeAfter.add(u);
    return u;
  }

  /** Sends {@code first..last} one after another, each confirmed before the next (so seqs follow n). */
  private static void sendAll(TestUser from, TestUser to, int first, int last) {
    for (int n = first; n <= last; n++) {
      from.client.send(to.id, TestUser.body(n)).timeout(30, java.util.concurrent.TimeUnit.SECONDS).await();
    }
  }

  /** A node on a Redis that persists by snapshots only. */
  private void start() {
    redis = RedisServer.startWithSnapshots();
    nodes.add(() -> redis.close()); // the server of the moment (a restart replaces it), after the node
    node = nodes.start(nodes.config()
        .with(ConfigKeys.STORE, "redis")
        .with(ConfigKeys.REDIS_URL, redis.url()));
  }

  @Test
  @Timeout(120)
  void aClientAheadOfARolledBackInboxGetsTheNewMessagesOnceAndIsTold() {
    start();
    TestUser alice = user("alice").connect();
    TestUser bob = user("bob").connect();

    sendAll(alice, bob, 1, 3);
    bob.awaitMessages(3);
    java.nio.file.Path at3 = redis.snapshot();

    sendAll(alice, bob, 4, 5);
    bob.awaitMessages(5);
    InboxPosition at5 = bob.client.position();
    assertThat(at5.lastSeq()).isEqualTo(5);
    Await.until("bob acked 5", () -> bob.client.stats().acks() >= 1 && bob.client.lastSeq() == 5);
    String epoch = bob.client.epoch();

    redis = redis.restartFrom(at3); // SIGKILL, then back at seq 3 of the same epoch
    sendAll(alice, bob, 6, 7);

    Await.until("bob has 6 and 7 (has " + bob.numbers() + ")", Duration.ofSeconds(30),
        () -> bob.numbers().containsAll(List.of(6, 7)));
    // A marker after them: anything delivered twice would have come before it.
    sendAll(alice, bob, 8, 8);
    Await.until("bob has 8 (has " + bob.numbers() + ")", Duration.ofSeconds(30), () -> bob.numbers().contains(8));
    assertThat(bob.numbers()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
    assertThat(bob.losses).containsExactly(new InboxLoss(InboxLoss.Reason.ROLLBACK, epoch, 6, -1, null));
    assertThat(bob.client.epoch()).isEqualTo(epoch);
    InboxMessage last = bob.messages.get(7);
    assertThat(bob.client.position()).isEqualTo(new InboxPosition(epoch, last.seq(), last.id(), last.ts()));
    assertThat(last.seq()).as("the new messages took seqs 4 and 5 again").isEqualTo(6);
  }

  @Test
  @Timeout(120)
  void aWelcomeBelowTheClientsSeqAfterARollbackIsCaughtToo() {
    start();
    TestUser alice = user("alice").connect();
    TestUser bob = user("bob").connect();
    sendAll(alice, bob, 1, 3);
    bob.awaitMessages(3);
    java.nio.file.Path at3 = redis.snapshot();
    sendAll(alice, bob, 4, 5);
    bob.awaitMessages(5);
    String epoch = bob.client.epoch();

    redis = redis.restartFrom(at3);
    // One new message: the store is at seq 4, below bob's 5, when bob reconnects.
    sendAll(alice, bob, 6, 6);
    Await.until("bob has 6 (has " + bob.numbers() + ")", Duration.ofSeconds(30), () -> bob.numbers().contains(6));
    assertThat(bob.client.lastSeq()).isEqualTo(4);
    sendAll(alice, bob, 7, 7);
    Await.until("bob has 7 (has " + bob.numbers() + ")", Duration.ofSeconds(30), () -> bob.numbers().contains(7));
    assertThat(bob.numbers()).containsExactly(1, 2, 3, 4, 5, 6, 7);
    assertThat(bob.losses).containsExactly(new InboxLoss(InboxLoss.Reason.ROLLBACK, epoch, 6, -1, null));
    assertThat(bob.client.lastSeq()).isEqualTo(5);
  }
}
