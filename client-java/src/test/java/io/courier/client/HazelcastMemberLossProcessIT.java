package io.courier.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.node.NodeProcess;
import io.courier.node.ProcessCluster;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * With the Hazelcast store, SIGKILL of one data member (a delivery node without a gateway) loses
 * no stored message: every inbox comes back whole, in the same epoch, from the backups.
 */
class HazelcastMemberLossProcessIT extends ProcessClusterBase {
  static final int RECIPIENTS = 30;
  static final int PER_RECIPIENT = 3;

  private TestUser user(String id, int port) {
    TestUser u = new TestUser(vertx, id, cluster.secret(), List.of(), TestUser.options(port));
    users.add(u);
    return u;
  }

  @Test
  void aKilledDataMemberLosesNoStoredMessage() {
    // a request routed to the killed node just after its death is answered only at the bus timeout (2 s here)
    cluster = new ProcessCluster("member-loss", Map.of("COURIER_STORE", "hazelcast", "COURIER_HZ_BACKUP_COUNT", "1",
        "COURIER_BUS_TIMEOUT_MS", "2000"));
    NodeProcess gateway = cluster.start("gateway-1", "connection,delivery,presence").awaitStarted(FORM);
    cluster.start("data-1", "delivery,presence");
    NodeProcess doomed = cluster.start("data-2", "delivery,presence");
    cluster.awaitFormed(FORM);

    // 30 inboxes spread over the 271 partitions: the chance that data-2 owns none of them is (2/3)^30
    String run = UUID.randomUUID().toString().substring(0, 8);
    List<String> recipients = new ArrayList<>();
    for (int i = 0; i < RECIPIENTS; i++) {
      recipients.add("r" + i + "-" + run);
    }
    TestUser sender = user("sender-" + run, gateway.port()).connect();
    List<Future<SendReceipt>> sends = new ArrayList<>();
    for (int n = 0; n < PER_RECIPIENT; n++) {
      for (String r : recipients) {
        sends.add(sender.client.send(r, TestUser.body(n)));
      }
    }
    Await.result(Future.all(sends));

    long killedAt = System.currentTimeMillis();
    doomed.kill();
    cluster.awaitMembers(2, Duration.ofSeconds(15));
    long memberGoneMs = System.currentTimeMillis() - killedAt;

    List<TestUser> readers = recipients.stream().map(r -> user(r, gateway.port())).toList();
    Future.all(readers.stream().map(u -> u.client.connect()).toList()).timeout(20, TimeUnit.SECONDS).await();
    for (TestUser r : readers) {
      r.awaitMessages(PER_RECIPIENT);
      assertThat(r.numbers()).as("messages of %s", r.id).containsExactly(0, 1, 2);
      assertThat(r.seqs()).as("seqs of %s", r.id).containsExactly(1L, 2L, 3L);
      assertThat(r.losses).as("losses of %s", r.id).isEmpty();
    }
    long allReadMs = System.currentTimeMillis() - killedAt;
    System.out.printf("member loss: stored=%d memberGoneSeenAfterMs=%d allInboxesReadAfterMs=%d%n",
        sends.size(), memberGoneMs, allReadMs);
  }
}
