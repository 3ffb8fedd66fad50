package io.courier.node;

import static io.courier.testing.BusProbes.assertRefused;
import static io.courier.testing.BusProbes.withBusTls;
import static org.assertj.core.api.Assertions.assertThat;

import io.courier.protocol.Addresses;
import io.courier.protocol.Bus;
import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.testing.Nodes;
import io.courier.testing.OpenSsl;
import io.courier.testing.TestCluster;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two Courier nodes whose event bus is TLS with mutual authentication (certificates made by openssl
 * here, from the repository's cluster.xml): a user on one node writes to a user on the other over
 * WebSocket, and the message crosses the bus. A member that joined the same Hazelcast cluster with a
 * certificate of another CA cannot use Courier's bus addresses: a forged send in a user's name is
 * never stored nor delivered, and it cannot read an inbox.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterBusTlsNodeTest {
  @RegisterExtension
  static final Nodes<CourierNode> nodes = InProcessNodes.stoppedAtOnce("bus-tls-node");

  @TempDir
  static Path dir;
  Vertx client;
  CourierNode a;
  CourierNode b;
  TestCluster.Member intruder;

  @BeforeAll
  void start() {
    OpenSsl.Ca ca = OpenSsl.ca(dir, "cluster");
    OpenSsl.Ca other = OpenSsl.ca(dir, "other");
    CourierConfig cfg = nodes.config()
        .with(ConfigKeys.GATEWAY_INSTANCES, 1).with(ConfigKeys.CLUSTER_CONFIG, Path.of("..", "cluster.xml"));
    int seed = cfg.getInt(ConfigKeys.CLUSTER_PORT);
    a = nodes.start(withBusTls(cfg, ca, OpenSsl.signed(dir, ca, "node-a")).with(ConfigKeys.NODE_ID, "tls-node-a"));
    b = nodes.start(Nodes.joining(withBusTls(cfg, ca, OpenSsl.signed(dir, ca, "node-b")))
        .with(ConfigKeys.NODE_ID, "tls-node-b"));
    intruder = TestCluster.join(withBusTls(cfg, other, OpenSsl.signed(dir, other, "intruder")), seed, "tls-intruder");
    nodes.add(() -> intruder.vertx().close().await());
    assertThat(a.context().hazelcast().getCluster().getMembers()).hasSize(3);
    client = nodes.client();
  }

  private WsProbe connect(CourierNode node, String user) {
    WsProbe p = WsProbe.connect(client, node.port(), nodes.token(user, Duration.ofMinutes(10)));
    p.next("welcome");
    return p;
  }

  static JsonObject send(String id, String to, String text) {
    return new JsonObject().put("type", "send").put("id", id).put("to", to).put("body", new JsonObject().put("text", text));
  }

  @Test
  void aMessageCrossesTheTlsBusAndAnIntruderCanNeitherInjectNorRead() {
    String alice = "alice-" + UUID.randomUUID();
    String bob = "bob-" + UUID.randomUUID();
    try (WsProbe onA = connect(a, alice); WsProbe onB = connect(b, bob)) {
      onA.send(send("m1", bob, "hi bob"));
      onA.next("sent");
      JsonObject first = onB.next("msg");
      assertThat(first.getString("from")).isEqualTo(alice);
      assertThat(first.getLong("seq")).isEqualTo(1);
      onB.send(new JsonObject().put("type", "ack").put("seq", 1));

      // The request a gateway makes for alice's send, made by the intruder in her name.
      JsonObject forged = new JsonObject().put(Bus.V, Bus.VERSION).put(Bus.FROM, alice).put(Bus.TO, bob)
          .put(Bus.ID, "forged").put(Bus.BODY, new JsonObject().put("text", "forged").encode())
          .put(Bus.TS, System.currentTimeMillis());
      assertRefused(intruder.vertx(), Addresses.DELIVERY_SEND, forged, "intruder");
      JsonObject read = new JsonObject().put(Bus.V, Bus.VERSION).put(Bus.USER, bob).put(Bus.AFTER, 0L).put(Bus.LIMIT, 10);
      assertRefused(intruder.vertx(), Addresses.DELIVERY_READ, read, "intruder");

      // Nothing was stored in between: alice's next message is bob's seq 2, and nothing forged arrived.
      onA.send(send("m2", bob, "still me"));
      onA.next("sent");
      JsonObject second = onB.next(f -> "msg".equals(f.getString("type")) && !"m1".equals(f.getString("id")),
          Duration.ofSeconds(10));
      assertThat(second.getString("id")).isEqualTo("m2");
      assertThat(second.getLong("seq")).isEqualTo(2);
      assertThat(onB.seen()).noneMatch(f -> "forged".equals(f.getString("id")));
    }
  }
}
