package io.courier.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.node.CourierNode;
import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.testing.Nodes;
import io.courier.testing.Ports;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The client while nodes go away: real nodes, started and stopped by each test. */
class NodeFailoverIntegrationTest {
  /** Stopped drained after each test; a stop that fails (the test may have stopped it) is not the test's failure. */
  @RegisterExtension
  static final Nodes<CourierNode> nodes = Nodes.of("client-failover",
      new Nodes.Launcher<>(CourierNode::start, CourierNode::port, n -> n.close().otherwiseEmpty()));

  private Vertx vertx;
  private final List<TestUser> users = new ArrayList<>();

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() {
    users.forEach(TestUser::close);
    vertx.close().await();
  }

  private CourierNode start(CourierConfig cfg) {
    return nodes.start(cfg);
  }

  private TestUser user(String name, CourierClientOptions options) {
    TestUser u = new TestUser(vertx, name + "-" + UUID.randomUUID().toString().substring(0, 8), nodes.secret(), List.of(),
        options);
    users.add(u);
    return u;
  }

  private static CourierClientOptions quick() {
    return new CourierClientOptions().setReconnectBaseMs(50).setReconnectCapMs(500)
        .setSendRetryBaseMs(50).setSendRetryCapMs(500);
  }

  @Test
  void whenItsNodeGoesAwayTheClientMovesToAnotherWithoutLossOrDuplicates() {
    CourierConfig base = nodes.config().with(ConfigKeys.GATEWAY_INSTANCES, 1)
        .with(ConfigKeys.DRAIN_GRACE_MS, 1000); // close() drains: the client follows the reconnect hint
    CourierNode first = start(base);
    CourierNode second = start(Nodes.joining(base));

    TestUser alice = user("alice", quick().setHost("127.0.0.1").setPort(second.port())).connect();
    TestUser bob = user("bob", quick().addServer("127.0.0.1", first.port()).addServer("127.0.0.1", second.port()))
        .connect();
    assertThat(bob.client.session().nodeId()).isEqualTo(first.nodeId());
    Await.result(alice.client.send(bob.id, TestUser.body(0)));
    bob.awaitMessages(1);
    String epoch = bob.client.epoch();

    first.close().await();
    Future<SendReceipt> fromBob = bob.client.send(alice.id, TestUser.body(100)); // queued during the failover
    Await.until("bob is on the second node", () -> bob.client.state() == ConnectionState.CONNECTED
        && second.nodeId().equals(bob.client.session().nodeId()));
    Await.result(fromBob);
    alice.awaitMessages(1);

    Await.result(alice.client.send(bob.id, TestUser.body(1)));
    bob.awaitMessages(2);
    assertThat(bob.numbers()).containsExactly(0, 1);
    assertThat(bob.seqs()).containsExactly(1L, 2L);
    assertThat(bob.client.epoch()).isEqualTo(epoch);
    assertThat(bob.losses).isEmpty();
    assertThat(alice.numbers()).containsExactly(100);
  }

  @Test
  void aRestartedSingleNodeWithAnEmptyStoreStartsANewEpochThatTheClientAdopts() {
    CourierConfig cfg = nodes.config()
        .with(ConfigKeys.GATEWAY_INSTANCES, 1).with(ConfigKeys.PORT, Ports.free())
        .with(ConfigKeys.DRAIN_GRACE_MS, 1000);
    CourierNode node = start(cfg);
    CourierClientOptions opts = quick().setHost("127.0.0.1").setPort(node.port());
    TestUser alice = user("alice", opts).connect();
    TestUser bob = user("bob", new CourierClientOptions(opts)).connect();
    Await.result(alice.client.send(bob.id, TestUser.body(0)));
    bob.awaitMessages(1);
    String oldEpoch = bob.client.epoch();

    node.close().await();
    Await.until("bob noticed", () -> bob.client.state() != ConnectionState.CONNECTED);
    // The in-memory store went with the only node: the new node's inbox is a new generation.
    start(cfg.with(ConfigKeys.CLUSTER_NAME, Ports.uniqueName("client-restart")).with(ConfigKeys.CLUSTER_PORT,
        Ports.free()));
    Await.until("bob is back", () -> bob.client.state() == ConnectionState.CONNECTED
        && !oldEpoch.equals(bob.client.epoch()));
    assertThat(bob.client.lastSeq()).isZero();
    assertThat(bob.losses).singleElement().satisfies(l -> {
      assertThat(l.reason()).isEqualTo(InboxLoss.Reason.EPOCH_RESET);
      assertThat(l.epoch()).isEqualTo(oldEpoch);
      assertThat(l.fromSeq()).isEqualTo(2);
      assertThat(l.newEpoch()).isEqualTo(bob.client.epoch());
    });

    Await.until("alice is back", () -> alice.client.state() == ConnectionState.CONNECTED);
    Await.result(alice.client.send(bob.id, TestUser.body(1)));
    bob.awaitMessages(2);
    assertThat(bob.numbers()).containsExactly(0, 1);
    assertThat(bob.seqs()).containsExactly(1L, 1L);
    assertThat(bob.messages.get(1).epoch()).isEqualTo(bob.client.epoch());
  }
}
