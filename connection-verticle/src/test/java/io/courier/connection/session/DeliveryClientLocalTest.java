package io.courier.connection.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.cluster.LocalServices;
import io.courier.protocol.Addresses;
import io.courier.protocol.ClientFrame;
import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.protocol.bus.DeliverySend;
import io.courier.protocol.bus.Rooms;
import io.courier.testing.Ports;
import io.courier.testing.TestCluster;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two real clustered members, each with a stand-in delivery consumer that records what it served:
 * a gateway whose node runs delivery keeps its requests in the node; without one, or while its
 * own is gone, requests reach the other node's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeliveryClientLocalTest {
  private TestCluster.Member a;
  private TestCluster.Member b;
  private final List<String> servedByA = new CopyOnWriteArrayList<>();
  private final List<String> servedByB = new CopyOnWriteArrayList<>();

  @BeforeAll
  void start() {
    CourierConfig cfg = TestCluster.config(Ports.uniqueName("delivery-local"));
    a = TestCluster.start(cfg, "local-a");
    b = TestCluster.join(cfg, cfg.getInt(ConfigKeys.CLUSTER_PORT), "local-b");
    serve(a.vertx(), servedByA);
    serve(b.vertx(), servedByB);
  }

  @AfterAll
  void stop() {
    if (b != null) {
      b.vertx().close().await();
    }
    if (a != null) {
      a.vertx().close().await();
    }
  }

  private static void serve(Vertx vertx, List<String> served) {
    vertx.eventBus().<JsonObject>consumer(Addresses.DELIVERY_SEND, (Message<JsonObject> m) -> {
      served.add(DeliverySend.Request.fromJson(m.body()).id());
      m.reply(new DeliverySend.Reply(1L, false, 1L, "e").toJson());
    }).completion().await();
  }

  private static ClientFrame.Send send(String id) {
    return new ClientFrame.Send(null, id, "bob", null, "\"hi\"");
  }

  @Test
  void withDeliveryInTheNodeEverySendStaysThere() {
    LocalServices.up(a.vertx(), LocalServices.DELIVERY);
    try {
      DeliveryClient client = new DeliveryClient(a.vertx().eventBus(), 5_000,
          () -> LocalServices.present(a.vertx(), LocalServices.DELIVERY));
      for (int i = 0; i < 20; i++) {
        client.send("alice", send("local-" + i)).await();
      }
      assertThat(servedByA).filteredOn(id -> id.startsWith("local-")).hasSize(20);
      assertThat(servedByB).filteredOn(id -> id.startsWith("local-")).isEmpty();
    } finally {
      LocalServices.down(a.vertx(), LocalServices.DELIVERY);
    }
  }

  @Test
  void withoutDeliveryInTheNodeSendsGoRoundRobinOverTheCluster() {
    assertThat(LocalServices.present(a.vertx(), LocalServices.DELIVERY)).isFalse();
    DeliveryClient client = new DeliveryClient(a.vertx().eventBus(), 5_000,
        () -> LocalServices.present(a.vertx(), LocalServices.DELIVERY));
    for (int i = 0; i < 20; i++) {
      client.send("alice", send("spread-" + i)).await();
    }
    assertThat(servedByA).filteredOn(id -> id.startsWith("spread-")).isNotEmpty();
    assertThat(servedByB).filteredOn(id -> id.startsWith("spread-")).isNotEmpty();
  }

  /** Marked but without a consumer here (it is being undeployed): nothing took it, so another node's does. */
  @Test
  void aMarkedButAbsentLocalDeliveryFallsBackToTheCluster() {
    // Only A serves this address; B's client believes its own node does.
    a.vertx().eventBus().<JsonObject>consumer(Addresses.ROOM_STATS, m -> m.reply(new Rooms.Stats(7).toJson()))
        .completion().await();
    DeliveryClient client = new DeliveryClient(b.vertx().eventBus(), 5_000, () -> true);
    assertThat(client.roomStats().await().rooms()).isEqualTo(7);
  }

  @Test
  void localServiceCountsFollowEachInstance() {
    Vertx v = b.vertx();
    assertThat(LocalServices.present(v, "probe")).isFalse();
    LocalServices.up(v, "probe");
    LocalServices.up(v, "probe");
    LocalServices.down(v, "probe");
    assertThat(LocalServices.present(v, "probe")).isTrue();
    LocalServices.down(v, "probe");
    assertThat(LocalServices.present(v, "probe")).isFalse();
    LocalServices.down(v, "probe");
    assertThat(LocalServices.present(v, "probe")).isFalse();
  }
}
