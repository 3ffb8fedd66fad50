package io.courier.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.node.CourierNode;
import io.courier.node.InProcessNodes;
import io.courier.protocol.ConfigKeys;
import io.courier.protocol.ErrorCodes;
import io.courier.protocol.InboxMessage;
import io.courier.testing.Nodes;
import io.courier.tokens.TokenIssuer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The client against one real node over loopback: no mocks. Every test uses its own user ids, so
 * tests share the node but nothing else.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NodeIntegrationTest {
  @RegisterExtension
  static final Nodes<CourierNode> nodes = InProcessNodes.named("client-it");

  private CourierNode node;
  private Vertx vertx;
  private final List<AutoCloseable> closeAfterEach = new ArrayList<>();

  @BeforeAll
  void startNode() {
    node = nodes.start(nodes.config()
        .with(ConfigKeys.RETRANSMIT_INITIAL_MS, 300)
        .with(ConfigKeys.RETRANSMIT_MAX_MS, 1_200)
        .with(ConfigKeys.GATEWAY_INSTANCES, 2));
    vertx = nodes.client();
  }

  @AfterEach
  void closeClients() throws Exception {
    for (AutoCloseable c : closeAfterEach) {
      c.close();
    }
    closeAfterEach.clear();
  }

  private static String uid(String name) {
    return name + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private TestUser user(String id, CourierClientOptions options, List<String> rooms) {
    TestUser u = new TestUser(vertx, id, nodes.secret(), rooms, options);
    closeAfterEach.add(u);
    return u;
  }

  private TestUser user(String id) {
    return user(id, TestUser.options(node.port()), List.of());
  }

  private FlakyProxy proxy() {
    FlakyProxy p = new FlakyProxy(vertx, node.port());
    p.start();
    closeAfterEach.add(p);
    return p;
  }

  @Test
  void twoClientsExchangeMessages() {
    TestUser alice = user(uid("alice")).connect();
    TestUser bob = user(uid("bob")).connect();
    assertThat(alice.client.session().userId()).isEqualTo(alice.id);
    assertThat(alice.client.session().nodeId()).isEqualTo(node.nodeId());

    SendReceipt r = Await.result(alice.client.send(bob.id, "{\"text\":\"hi bob\"}"));
    assertThat(r.dup()).isFalse();
    assertThat(r.ts()).isPositive();
    bob.awaitMessages(1);
    InboxMessage m = bob.messages.get(0);
    assertThat(m.seq()).isEqualTo(1);
    assertThat(m.id()).isEqualTo(r.id());
    assertThat(m.from()).isEqualTo(alice.id);
    assertThat(m.to()).isEqualTo(bob.id);
    assertThat(m.ts()).isEqualTo(r.ts());
    assertThat(new JsonObject(m.bodyJson()).getString("text")).isEqualTo("hi bob");
    assertThat(m.epoch()).isEqualTo(bob.client.epoch());

    Await.result(bob.client.send(alice.id, "{\"text\":\"hi alice\"}"));
    alice.awaitMessages(1);
    assertThat(alice.messages.get(0).from()).isEqualTo(bob.id);
    Await.until("bob acked", () -> bob.client.stats().acks() >= 1);
    assertThat(bob.client.lastSeq()).isEqualTo(1);
  }

  @Test
  void manyMessagesArriveInSendOrderExactlyOnce() {
    TestUser alice = user(uid("alice")).connect();
    TestUser bob = user(uid("bob")).connect();
    List<Future<SendReceipt>> receipts = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      receipts.add(alice.client.send(bob.id, TestUser.body(i)));
    }
    Await.result(Future.all(receipts));
    bob.awaitMessages(300);
    assertThat(bob.numbers()).isEqualTo(range(0, 300));
    assertThat(bob.seqs()).isEqualTo(range(1, 301).stream().map(Integer::longValue).toList());
    assertThat(alice.client.pendingSends()).isZero();
  }

  @Test
  void roomsJoinSendAndLeaveThroughTheClient() {
    String room = "r-" + UUID.randomUUID().toString().substring(0, 8);
    TestUser alice = user(uid("alice"), TestUser.options(node.port()), List.of("r-*")).connect();
    TestUser bob = user(uid("bob"), TestUser.options(node.port()), List.of(room)).connect();
    // Not a member yet: the send is refused for good, not retried.
    assertThat(((ServerErrorException) Await.failure(alice.client.sendToRoom(room, TestUser.body(0)))).code())
        .isEqualTo(ErrorCodes.FORBIDDEN);
    // Bob's claim names only this room.
    assertThat(((ServerErrorException) Await.failure(bob.client.join("r-other"))).code())
        .isEqualTo(ErrorCodes.FORBIDDEN);
    Await.result(alice.client.join(room));
    Await.result(bob.client.join(room));

    SendReceipt sent = Await.result(alice.client.sendToRoom(room, TestUser.body(1)));
    bob.awaitMessages(1);
    alice.awaitMessages(1);
    InboxMessage got = bob.messages.get(0);
    assertThat(got.room()).isEqualTo(room);
    assertThat(got.to()).isNull();
    assertThat(got.from()).isEqualTo(alice.id);
    assertThat(got.id()).isEqualTo(sent.id());
    assertThat(alice.messages.get(0).room()).as("the sender's own copy").isEqualTo(room);

    Await.result(bob.client.leave(room));
    assertThat(((ServerErrorException) Await.failure(bob.client.sendToRoom(room, TestUser.body(2)))).code())
        .isEqualTo(ErrorCodes.FORBIDDEN);
    assertThat(alice.client.pendingSends()).isZero();
    assertThat(bob.client.pendingSends()).isZero();
  }

  @Test
  void presenceShowsWhoIsOnline() {
    TestUser alice = user(uid("alice")).connect();
    TestUser bob = user(uid("bob")).connect();
    String nobody = uid("nobody");
    JsonObject users = Await.result(alice.client.presence(List.of(bob.id, nobody)));
    assertThat(users.getJsonObject(bob.id).getBoolean("online")).isTrue();
    assertThat(users.getJsonObject(bob.id).getInteger("devices")).isEqualTo(1);
    assertThat(users.getJsonObject(nobody).getBoolean("online")).isFalse();
    assertThat(users.getJsonObject(nobody).getInteger("devices")).isZero();
  }

  @Test
  void anOfflineRecipientGetsEverythingThroughSyncWhenItConnects() {
    TestUser alice = user(uid("alice")).connect();
    String bobId = uid("bob");
    for (int i = 0; i < 5; i++) {
      Await.result(alice.client.send(bobId, TestUser.body(i)));
    }
    TestUser bob = user(bobId).connect();
    assertThat(bob.client.session().serverLastSeq()).isEqualTo(5);
    bob.awaitMessages(5);
    assertThat(bob.numbers()).containsExactly(0, 1, 2, 3, 4);
    assertThat(bob.seqs()).containsExactly(1L, 2L, 3L, 4L, 5L);
    Await.result(alice.client.send(bobId, TestUser.body(5)));
    bob.awaitMessages(6);
    assertThat(bob.seqs()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    assertThat(bob.losses).isEmpty();
  }

  @Test
  void theOutboxHoldsSendsWhileDisconnectedAndDeliversThemOnceAfterReconnect() {
    FlakyProxy proxy = proxy();
    TestUser bob = user(uid("bob")).connect();
    TestUser alice = user(uid("alice"), TestUser.options(0).setPort(proxyPort(proxy)), List.of()).connect();

    proxy.refuseNew(true);
    proxy.cutAll();
    Await.until("alice lost her connection", () -> alice.client.state() != ConnectionState.CONNECTED);
    List<Future<SendReceipt>> receipts = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      receipts.add(alice.client.send(bob.id, TestUser.body(i)));
    }
    Await.until("three sends queued", () -> alice.client.pendingSends() == 3);
    assertThat(receipts).noneMatch(Future::isComplete);
    assertThat(bob.messages).isEmpty();

    proxy.refuseNew(false);
    Await.result(Future.all(receipts));
    assertThat(alice.client.pendingSends()).isZero();
    bob.awaitMessages(3);
    Await.result(alice.client.send(bob.id, TestUser.body(3)));
    bob.awaitMessages(4);
    assertThat(bob.numbers()).containsExactly(0, 1, 2, 3);
    assertThat(bob.seqs()).containsExactly(1L, 2L, 3L, 4L);
    assertThat(alice.tokensIssued.get()).as("a fresh token per attempt").isGreaterThan(1);
  }

  @Test
  void sendsWhoseConfirmationWasLostAreResentAndStoredOnce() {
    FlakyProxy proxy = proxy();
    TestUser bob = user(uid("bob")).connect();
    TestUser alice = user(uid("alice"), TestUser.options(0).setPort(proxyPort(proxy)), List.of()).connect();

    proxy.swallowDownstream(); // the node stores the sends, but alice never hears 'sent'
    Future<SendReceipt> first = alice.client.send(bob.id, TestUser.body(0));
    Future<SendReceipt> second = alice.client.send(bob.id, TestUser.body(1));
    bob.awaitMessages(2);
    assertThat(first.isComplete()).isFalse();
    assertThat(second.isComplete()).isFalse();

    proxy.cutAll();
    SendReceipt r1 = Await.result(first);
    SendReceipt r2 = Await.result(second);
    assertThat(r1.dup()).isTrue();
    assertThat(r2.dup()).isTrue();
    assertThat(r1.id()).isEqualTo(bob.messages.get(0).id());
    assertThat(r1.ts()).isEqualTo(bob.messages.get(0).ts());
    assertThat(alice.client.stats().sendsConfirmedDup()).isEqualTo(2);

    Await.result(alice.client.send(bob.id, TestUser.body(2)));
    bob.awaitMessages(3);
    assertThat(bob.numbers()).containsExactly(0, 1, 2);
    assertThat(bob.seqs()).containsExactly(1L, 2L, 3L);
  }

  @Test
  void aConnectionKilledBeforeTheAckGetsRetransmitsThatAreDroppedAndNothingIsDeliveredTwice() {
    FlakyProxy proxy = proxy();
    TestUser alice = user(uid("alice")).connect();
    // bob never acks within the test: the node retransmits seq 1 every 300 ms or more.
    TestUser bob = user(uid("bob"), TestUser.options(0).setPort(proxyPort(proxy)).setAckDelayMs(60_000),
        List.of()).connect();

    Await.result(alice.client.send(bob.id, TestUser.body(0)));
    bob.awaitMessages(1);
    Await.until("a retransmit of seq 1 arrived and was dropped", () -> bob.client.stats().duplicatesDropped() >= 1);
    assertThat(bob.client.stats().acks()).isZero();

    proxy.cutAll(); // killed before any ack
    Await.until("bob reconnected", () -> bob.client.stats().connects() == 2);
    Await.result(alice.client.send(bob.id, TestUser.body(1)));
    bob.awaitMessages(2);
    assertThat(bob.numbers()).containsExactly(0, 1);
    assertThat(bob.seqs()).containsExactly(1L, 2L);
  }

  @Test
  void messagesLostOnADeadLinkAreRedeliveredAfterThePingTimeout() {
    FlakyProxy proxy = proxy();
    TestUser alice = user(uid("alice")).connect();
    TestUser bob = user(uid("bob"), TestUser.options(0).setPort(proxyPort(proxy))
        .setPingIntervalMs(200).setPongTimeoutMs(400), List.of()).connect();

    proxy.freeze(); // the link stays open, nothing gets through
    Await.result(alice.client.send(bob.id, TestUser.body(0)));
    Await.until("bob noticed the dead link", () -> bob.client.stats().connects() == 2);
    bob.awaitMessages(1);
    assertThat(bob.states).extracting(StateChange::state).contains(ConnectionState.RECONNECTING);
    Await.result(alice.client.send(bob.id, TestUser.body(1)));
    bob.awaitMessages(2);
    assertThat(bob.numbers()).containsExactly(0, 1);
    assertThat(bob.seqs()).containsExactly(1L, 2L);
  }

  @Test
  void aClientResumedFromASavedPositionGetsOnlyWhatCameAfter() {
    TestUser alice = user(uid("alice")).connect();
    String bobId = uid("bob");
    TestUser bob1 = user(bobId).connect();
    Await.result(alice.client.send(bobId, TestUser.body(0)));
    Await.result(alice.client.send(bobId, TestUser.body(1)));
    bob1.awaitMessages(2);
    String epoch = bob1.client.epoch();
    long lastSeq = bob1.client.lastSeq();
    bob1.close();

    Await.result(alice.client.send(bobId, TestUser.body(2)));
    TestUser bob2 = user(bobId, TestUser.options(node.port()).setResumeFrom(epoch, lastSeq), List.of()).connect();
    bob2.awaitMessages(1);
    Await.result(alice.client.send(bobId, TestUser.body(3)));
    bob2.awaitMessages(2);
    assertThat(bob2.numbers()).containsExactly(2, 3);
    assertThat(bob2.seqs()).containsExactly(3L, 4L);
  }

  @Test
  void aTokenWithTheWrongSignatureIsRefusedForGood() {
    CourierClient c = CourierClient.create(vertx, TestUser.options(node.port()),
        () -> Future.succeededFuture(io.courier.tokens.TokenIssuer.issue("not-the-secret-but-of-the-right-length-" + java.util.UUID.randomUUID(), "eve",
            java.time.Duration.ofMinutes(1), List.of())));
    closeAfterEach.add(() -> c.close().await());
    Throwable t = Await.failure(c.connect());
    assertThat(t).isInstanceOf(HandshakeRejectedException.class);
    assertThat(((HandshakeRejectedException) t).status()).isEqualTo(401);
    assertThat(c.state()).isEqualTo(ConnectionState.CLOSED);
  }

  private static int proxyPort(FlakyProxy proxy) {
    return proxy.port;
  }

  private static List<Integer> range(int from, int to) {
    List<Integer> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add(i);
    }
    return out;
  }
}
