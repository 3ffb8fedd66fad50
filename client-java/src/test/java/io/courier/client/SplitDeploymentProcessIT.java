package io.courier.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.node.NodeProcess;
import io.courier.node.ProcessCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A split deployment of four JVMs: two gateway-only nodes, one delivery-only, one presence-only.
 * Users on different gateways exchange messages; seq, ack and sync work across processes.
 */
class SplitDeploymentProcessIT extends ProcessClusterBase {

  private TestUser user(String name, CourierClientOptions options) {
    TestUser u = new TestUser(vertx, name + "-" + UUID.randomUUID().toString().substring(0, 8), cluster.secret(),
        List.of(), options);
    users.add(u);
    return u;
  }

  @Test
  void usersOnTwoGatewaysExchangeMessagesThroughSeparateDeliveryAndPresenceNodes() {
    cluster = new ProcessCluster("split", Map.of("COURIER_RETRANSMIT_INITIAL_MS", "300"));
    cluster.start("delivery-1", "delivery").awaitStarted(FORM);
    cluster.start("presence-1", "presence");
    NodeProcess gwA = cluster.start("gateway-a", "connection");
    NodeProcess gwB = cluster.start("gateway-b", "connection");
    cluster.awaitFormed(FORM);

    TestUser alice = user("alice", TestUser.options(gwA.port())).connect();
    TestUser bob = user("bob", TestUser.options(gwB.port())).connect();
    assertThat(alice.client.session().nodeId()).isEqualTo("gateway-a");
    assertThat(bob.client.session().nodeId()).isEqualTo("gateway-b");

    // presence is answered by the presence-only node, for a user on the other gateway
    assertThat(Await.result(alice.client.presence(List.of(bob.id))).getJsonObject(bob.id).getInteger("devices"))
        .isEqualTo(1);

    // live, both ways, each through the delivery-only node
    Await.result(alice.client.send(bob.id, TestUser.body(1)));
    Await.result(bob.client.send(alice.id, TestUser.body(100)));
    bob.awaitMessages(1);
    alice.awaitMessages(1);
    assertThat(bob.seqs()).containsExactly(1L);
    assertThat(alice.numbers()).containsExactly(100);

    // acked on gateway B: no retransmit arrives (the retransmit interval is 300 ms here)
    Await.until("bob acked", () -> bob.client.stats().acks() > 0);
    long watchUntil = System.nanoTime() + Duration.ofMillis(1200).toNanos();
    Await.until("a retransmit window passed", () -> System.nanoTime() > watchUntil);
    assertThat(bob.client.stats().duplicatesDropped()).isZero();

    // bob goes away; what alice sends meanwhile is replayed by sync on the other gateway
    String epoch = bob.client.epoch();
    bob.close();
    users.remove(bob);
    Await.result(alice.client.send(bob.id, TestUser.body(2)));
    Await.result(alice.client.send(bob.id, TestUser.body(3)));
    TestUser bobAgain = new TestUser(vertx, bob.id, cluster.secret(), List.of(),
        TestUser.options(gwA.port()).setResumeFrom(epoch, 1));
    users.add(bobAgain);
    bobAgain.connect();
    assertThat(bobAgain.client.session().nodeId()).isEqualTo("gateway-a");
    bobAgain.awaitMessages(2);
    assertThat(bobAgain.numbers()).containsExactly(2, 3);
    assertThat(bobAgain.seqs()).containsExactly(2L, 3L);
    assertThat(bobAgain.client.epoch()).isEqualTo(epoch);
    assertThat(bobAgain.losses).isEmpty();
  }
}
