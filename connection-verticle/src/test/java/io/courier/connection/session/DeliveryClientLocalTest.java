package io.courier.connection.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.courier.cluster.InProcess;
import io.courier.cluster.LocalDelivery;
import io.courier.cluster.LocalServices;
import io.courier.protocol.BusFailures;
import io.courier.protocol.ErrorCodes;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.courier.protocol.Addresses;
import io.courier.protocol.ClientFrame;
import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.protocol.bus.DeliveryRead;
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

  /** A node whose delivery verticle registered in-process: sends are method calls, room sends still the bus. */
  @Test
  void anInProcessDeliveryServesPointToPointSendsWithoutTheBus() {
    List<String> direct = new CopyOnWriteArrayList<>();
    LocalDelivery stand = sendsOnly(req -> {
      direct.add(req.id());
      return Future.succeededFuture(new DeliverySend.Reply(5L, false, 9L, "e"));
    });
    InProcess in = new InProcess();
    in.addDelivery(stand);
    DeliveryClient client = new DeliveryClient(a.vertx().eventBus(), 5_000, () -> false, in);
    for (int i = 0; i < 20; i++) {
      assertThat(client.send("alice", send("direct-" + i)).await().seq()).isEqualTo(9L);
    }
    client.send("alice", new ClientFrame.Send(null, "direct-room", null, "lobby", "\"hi\"")).await();
    assertThat(direct).hasSize(20).allMatch(id -> id.startsWith("direct-") && !id.equals("direct-room"));
    // Over the bus, round robin: the room send reached one of the two members, no direct send either.
    assertThat(busServed()).filteredOn(id -> id.startsWith("direct-")).containsExactly("direct-room");

    in.removeDelivery(stand);
    client.send("alice", send("after-removal")).await();
    assertThat(direct).doesNotContain("after-removal");
    assertThat(busServed()).contains("after-removal");
  }

  /** An in-process delivery that serves sends with {@code send}; its reads answer an empty inbox. */
  private static LocalDelivery sendsOnly(java.util.function.Function<DeliverySend.Request, Future<DeliverySend.Reply>> send) {
    return new LocalDelivery() {
      @Override
      public Future<DeliverySend.Reply> send(DeliverySend.Request request) {
        return send.apply(request);
      }

      @Override
      public Future<DeliveryRead.Reply> read(DeliveryRead.Request request) {
        return Future.succeededFuture(new DeliveryRead.Reply("e", 0, 1, List.of()));
      }
    };
  }

  /** Reads go to the in-process delivery too. */
  @Test
  void anInProcessDeliveryServesReads() {
    InProcess in = new InProcess();
    in.addDelivery(new LocalDelivery() {
      @Override
      public Future<DeliverySend.Reply> send(DeliverySend.Request request) {
        return Future.failedFuture("not used");
      }

      @Override
      public Future<DeliveryRead.Reply> read(DeliveryRead.Request request) {
        return Future.succeededFuture(new DeliveryRead.Reply("ep-" + request.user(), request.after() + request.limit(), 1,
            List.of()));
      }
    });
    DeliveryClient client = new DeliveryClient(a.vertx().eventBus(), 5_000, () -> false, in);
    DeliveryRead.Reply r = client.read("carol", 5, 7).await();
    assertThat(r.epoch()).isEqualTo("ep-carol");
    assertThat(r.lastSeq()).isEqualTo(12);
  }

  private List<String> busServed() {
    List<String> all = new java.util.ArrayList<>(servedByA);
    all.addAll(servedByB);
    return all;
  }

  /** The caller cannot tell the paths apart by their failures: the same wire codes, the same timeout. */
  @Test
  void inProcessFailuresReachTheCallerAsTheBusWouldAnswerThem() {
    InProcess in = new InProcess();
    in.addDelivery(sendsOnly(req -> Future.failedFuture(new ReplyException(ReplyFailure.RECIPIENT_FAILURE,
        BusFailures.STORE_UNAVAILABLE, BusFailures.message(ErrorCodes.OVERLOADED, "message store memory full")))));
    DeliveryClient client = new DeliveryClient(a.vertx().eventBus(), 5_000, () -> false, in);
    Throwable overloaded = catchThrowable(() -> client.send("alice", send("refused")).await());
    assertThat(overloaded).isInstanceOf(DeliveryClient.WireError.class);
    assertThat(((DeliveryClient.WireError) overloaded).code).isEqualTo(ErrorCodes.OVERLOADED);

    InProcess stuck = new InProcess();
    stuck.addDelivery(sendsOnly(req -> Promise.<DeliverySend.Reply>promise().future()));
    DeliveryClient hurried = new DeliveryClient(a.vertx().eventBus(), 300, () -> false, stuck);
    // Sent from an event loop, as a session does: the timeout runs there.
    Throwable late = Future.<Throwable>future(p -> a.vertx().runOnContext(v ->
        hurried.send("alice", send("never")).onComplete(ar -> p.complete(ar.cause())))).await();
    assertThat(late).isInstanceOf(DeliveryClient.WireError.class);
    assertThat(((DeliveryClient.WireError) late).code).isEqualTo(ErrorCodes.UNAVAILABLE);
    assertThat(late).hasMessageContaining("timed out");
  }
}
