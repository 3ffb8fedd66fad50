package io.courier.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.node.NodeProcess;
import io.courier.node.ProcessCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * One of two delivery processes is SIGKILLed while clients send continuously: every send ends
 * with {@code sent} (the client resends what timed out or failed, with the same id), each is
 * stored once, and recipients see every confirmed message exactly once.
 */
class DeliveryCrashProcessIT extends ProcessClusterBase {

  private TestUser user(String name, int port) {
    TestUser u = new TestUser(vertx, name + "-" + UUID.randomUUID().toString().substring(0, 8), cluster.secret(),
        List.of(), TestUser.options(port));
    users.add(u);
    return u;
  }

  @Test
  void sendsInFlightToAKilledDeliveryNodeAreResentAndStoredOnce() {
    // a request lost with the killed node times out after 2 s (default 10 s) and is answered unavailable
    cluster = new ProcessCluster("delivery-crash", Map.of("COURIER_BUS_TIMEOUT_MS", "2000"));
    NodeProcess gateway = cluster.start("gateway-1", "connection,presence").awaitStarted(FORM);
    cluster.start("delivery-1", "delivery");
    NodeProcess doomed = cluster.start("delivery-2", "delivery");
    cluster.awaitFormed(FORM);

    List<TestUser> senders = new ArrayList<>();
    List<TestUser> peers = new ArrayList<>();
    // The first connects reach cold processes (JIT, first inbox reads); on a loaded machine they can
    // take longer than the usual 10 s, and their speed is not what this test is about.
    for (int i = 0; i < 3; i++) {
      senders.add(user("s" + i, gateway.port()).connect(FORM));
      peers.add(user("p" + i, gateway.port()).connect(FORM));
    }
    List<TestUser> everyone = new ArrayList<>(senders);
    everyone.addAll(peers);

    try (Traffic traffic = new Traffic(Traffic.pairs(senders, peers), 20).start()) {
      Await.until("traffic flows", () -> traffic.confirmed() >= 60);
      long killedAt = System.currentTimeMillis();
      doomed.kill();
      int confirmedAtKill = traffic.confirmed();
      Await.until("traffic flows again", Duration.ofSeconds(30), () -> traffic.confirmed() >= confirmedAtKill + 60);
      long recoveredMs = System.currentTimeMillis() - killedAt;
      cluster.awaitMembers(2, Duration.ofSeconds(15));
      traffic.stop();
      traffic.awaitAllConfirmed(Duration.ofSeconds(30));
      // Every confirmed message must reach its recipient once, with seqs 1..n. A recipient still
      // short after 20 s is resynced (reconnect, welcome, sync): that tells a live push that was
      // late from a message the store lost, which fails either way.
      int resynced = traffic.assertDeliveredExactlyOnce(everyone, Duration.ofSeconds(20), true);

      assertThat(everyone).allSatisfy(u -> assertThat(u.client.state()).isEqualTo(ConnectionState.CONNECTED));
      long retries = everyone.stream().mapToLong(u -> u.client.stats().sendRetries()).sum();
      long dups = everyone.stream().mapToLong(u -> u.client.stats().sendsConfirmedDup()).sum();
      long written = everyone.stream().mapToLong(u -> u.client.stats().sendsWritten()).sum();
      System.out.printf("delivery crash: sends=%d written=%d confirmedAtKill=%d retryableErrors=%d dupAnswers=%d"
              + " sixtyMoreConfirmedAfterMs=%d resyncedRecipients=%d%n",
          traffic.sent(), written, confirmedAtKill, retries, dups, recoveredMs, resynced);
    }
  }
}
