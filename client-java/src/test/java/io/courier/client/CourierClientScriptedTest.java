package io.courier.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.protocol.CloseCodes;
import io.courier.protocol.ErrorCodes;
import io.courier.protocol.FrameTypes;
import io.courier.protocol.InboxMessage;
import io.courier.protocol.ServerFrames;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client against {@link ScriptedServer}: real WebSocket over loopback, server behaviour scripted
 * frame by frame.
 */
class CourierClientScriptedTest {
  private Vertx vertx;
  private ScriptedServer server;
  private int port;
  private CourierClient client;
  private final AtomicInteger tokensIssued = new AtomicInteger();
  private final List<InboxMessage> delivered = new CopyOnWriteArrayList<>();
  private final List<StateChange> states = new CopyOnWriteArrayList<>();
  private final List<InboxLoss> losses = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    server = new ScriptedServer(vertx);
    port = server.start();
  }

  @AfterEach
  void tearDown() {
    if (client != null) {
      client.close().await();
    }
    server.close();
    vertx.close().await();
  }

  private CourierClientOptions options() {
    return new CourierClientOptions().setHost("127.0.0.1").setPort(port)
        .setReconnectBaseMs(20).setReconnectCapMs(200).setSendRetryBaseMs(20).setSendRetryCapMs(100)
        .setAckDelayMs(0);
  }

  private CourierClient client(CourierClientOptions o) {
    client = CourierClient.create(vertx, o, () -> Future.succeededFuture("tok-" + tokensIssued.incrementAndGet()))
        .messageHandler(delivered::add)
        .stateHandler(states::add)
        .lossHandler(losses::add);
    return client;
  }

  private static String msg(String epoch, long seq) {
    return new InboxMessage(seq, epoch, "m" + seq, "alice", "bob", null, "{\"n\":" + seq + "}", 1_000 + seq)
        .toFrameText();
  }

  private List<Long> deliveredSeqs() {
    return delivered.stream().map(InboxMessage::seq).toList();
  }

  @Test
  void connectsWithBearerTokenAndSyncsFromZeroInTheWelcomeEpoch() {
    client(options());
    Future<Void> connected = client.connect();
    ScriptedServer.Peer p = server.nextPeer();
    assertThat(p.authorization).isEqualTo("Bearer tok-1");
    JsonObject sync = p.next(FrameTypes.SYNC);
    assertThat(sync.getLong("after")).isZero();
    assertThat(sync.getString("epoch")).isEqualTo("e1");
    Await.result(connected);
    assertThat(client.state()).isEqualTo(ConnectionState.CONNECTED);
    assertThat(client.epoch()).isEqualTo("e1");
    assertThat(client.session().sessionId()).isEqualTo("s1");
    assertThat(states).extracting(StateChange::state)
        .containsExactly(ConnectionState.CONNECTING, ConnectionState.CONNECTED);
  }

  @Test
  void deliversOutOfOrderAndRepeatedPushesOnceInOrderAndAcksCumulatively() {
    client(options());
    client.connect();
    ScriptedServer.Peer p = server.nextPeer();
    p.next(FrameTypes.SYNC);
    p.send(msg("e1", 2));
    p.send(msg("e1", 3));
    p.send(msg("e1", 2));
    Await.until("buffered ahead of the gap", () -> client.stats().bufferedNow() == 2);
    assertThat(delivered).isEmpty();
    p.send(msg("e1", 1));
    Await.until("three delivered", () -> delivered.size() == 3);
    assertThat(deliveredSeqs()).containsExactly(1L, 2L, 3L);
    assertThat(delivered.get(0).bodyJson()).isEqualTo("{\"n\":1}");
    assertThat(client.lastSeq()).isEqualTo(3);
    assertThat(p.next(FrameTypes.ACK).getLong("seq")).isEqualTo(3);
    assertThat(p.poll(FrameTypes.ACK, 100)).as("one coalesced ack").isNull();

    p.send(msg("e1", 1)); // a retransmit: dropped, but acked again so the server stops
    assertThat(p.next(FrameTypes.ACK).getLong("seq")).isEqualTo(3);
    assertThat(deliveredSeqs()).containsExactly(1L, 2L, 3L);
    assertThat(client.stats().duplicatesDropped()).isEqualTo(2);
  }

  @Test
  void aNewEpochResetsLastSeqReportsTheLossAndSyncsFromZero() {
    server.welcome = n -> ServerFrames.welcome("s" + n, "bob", "node-1", n == 1 ? "e1" : "e2", 0, 25_000, 0);
    client(options());
    client.connect();
    ScriptedServer.Peer p1 = server.nextPeer();
    p1.next(FrameTypes.SYNC);
    p1.send(msg("e1", 1));
    p1.send(msg("e1", 2));
    Await.until("two delivered", () -> client.lastSeq() == 2);
    p1.close((short) 1011, "boom");

    ScriptedServer.Peer p2 = server.nextPeer();
    JsonObject sync = p2.next(FrameTypes.SYNC);
    assertThat(sync.getLong("after")).isZero();
    assertThat(sync.getString("epoch")).isEqualTo("e2");
    assertThat(client.epoch()).isEqualTo("e2");
    assertThat(client.lastSeq()).isZero();
    assertThat(losses).containsExactly(new InboxLoss(InboxLoss.Reason.EPOCH_RESET, "e1", 3, -1, "e2"));
    p2.send(msg("e2", 1));
    Await.until("e2 seq 1 delivered", () -> delivered.size() == 3);
    assertThat(delivered.get(2).epoch()).isEqualTo("e2");
  }

  @Test
  void afterAReconnectItSyncsFromLastSeqAndDropsReplayedMessages() {
    client(options());
    client.connect();
    ScriptedServer.Peer p1 = server.nextPeer();
    p1.next(FrameTypes.SYNC);
    p1.send(msg("e1", 1));
    p1.send(msg("e1", 2));
    Await.until("two delivered", () -> client.lastSeq() == 2);
    server.lastSeq = 2;
    p1.close(CloseCodes.INTERNAL, "crash");

    ScriptedServer.Peer p2 = server.nextPeer();
    assertThat(p2.authorization).isEqualTo("Bearer tok-2");
    JsonObject sync = p2.next(FrameTypes.SYNC);
    assertThat(sync.getLong("after")).isEqualTo(2);
    for (long s = 1; s <= 4; s++) {
      p2.send(msg("e1", s));
    }
    p2.send(ServerFrames.synced(2, 4, "e1", false, 1, sync.getString("ref")));
    Await.until("four delivered", () -> client.lastSeq() == 4);
    assertThat(deliveredSeqs()).containsExactly(1L, 2L, 3L, 4L);
  }

  /** A message of the inbox history after a rollback: a seq the client has seen, another message. */
  private static String rolledMsg(String epoch, long seq) {
    return new InboxMessage(seq, epoch, "n" + seq, "carol", "bob", null, "{\"new\":" + seq + "}", 9_000 + seq)
        .toFrameText();
  }

  private static JsonObject synced(long after, long upTo, long firstAvailable, boolean reset, String ref) {
    JsonObject f = new JsonObject().put("type", "synced").put("after", after).put("upTo", upTo).put("epoch", "e1")
        .put("firstAvailable", firstAvailable);
    if (reset) {
      f.put("reset", true);
    }
    return f.put("ref", ref);
  }

  /** Connects, delivers seqs 1..n of e1 and acks them, then drops the connection; returns the next peer. */
  private ScriptedServer.Peer deliveredThenReconnected(int n) {
    client.connect();
    ScriptedServer.Peer p1 = server.nextPeer();
    p1.next(FrameTypes.SYNC);
    for (long s = 1; s <= n; s++) {
      p1.send(msg("e1", s));
    }
    Await.until(n + " delivered", () -> client.lastSeq() == n);
    while (p1.next(FrameTypes.ACK).getLong("seq") < n) {
      // acks are cumulative; wait for the one that covers n
    }
    server.lastSeq = n;
    p1.close(CloseCodes.SERVICE_RESTART, "inbox rolled back; reconnect and sync");
    return server.nextPeer();
  }

  @Test
  void everySyncAfterZeroCarriesTheIdAndTsOfTheMessageAtAfter() {
    client(options());
    ScriptedServer.Peer p = deliveredThenReconnected(3);
    JsonObject sync = p.next(FrameTypes.SYNC);
    assertThat(sync.getLong("after")).isEqualTo(3);
    assertThat(sync.getString("lastId")).isEqualTo("m3");
    assertThat(sync.getLong("lastTs")).isEqualTo(1_003);
    assertThat(client.position()).isEqualTo(new InboxPosition("e1", 3, "m3", 1_003));
  }

  @Test
  void aSyncResetDeliversTheNewMessagesAtSeqsAlreadySeenAndReportsARollback() {
    // bob had 1..5; the store went back to 3 and then stored two new messages at 4 and 5
    client(options());
    ScriptedServer.Peer p = deliveredThenReconnected(5);
    JsonObject sync = p.next(FrameTypes.SYNC);
    assertThat(sync.getString("lastId")).isEqualTo("m5");
    for (long s = 1; s <= 3; s++) {
      p.send(msg("e1", s));
    }
    p.send(rolledMsg("e1", 4));
    p.send(rolledMsg("e1", 5));
    p.send(synced(0, 5, 1, true, sync.getString("ref")));
    Await.until("seven delivered", () -> delivered.size() == 7);
    assertThat(delivered).extracting(InboxMessage::id).containsExactly("m1", "m2", "m3", "m4", "m5", "n4", "n5");
    assertThat(losses).containsExactly(new InboxLoss(InboxLoss.Reason.ROLLBACK, "e1", 6, -1, null));
    assertThat(client.position()).isEqualTo(new InboxPosition("e1", 5, "n5", 9_005));
    assertThat(p.next(FrameTypes.ACK).getLong("seq")).isEqualTo(5);

    p.send(rolledMsg("e1", 5)); // seq tracking again
    p.send(rolledMsg("e1", 6));
    Await.until("n6 delivered", () -> delivered.size() == 8);
    assertThat(delivered.get(7).id()).isEqualTo("n6");
    assertThat(losses).hasSize(1);
  }

  @Test
  void aWelcomeBelowTheClientsSeqInItsEpochIsARollbackRepairedBySyncingEverythingByKey() {
    server.welcome = n -> ServerFrames.welcome("s" + n, "bob", "node-1", "e1", n == 1 ? 0 : 4, 25_000, 0);
    client(options());
    ScriptedServer.Peer p = deliveredThenReconnected(5);
    JsonObject sync = p.next(FrameTypes.SYNC);
    assertThat(sync.getLong("after")).as("everything the store holds").isZero();
    assertThat(sync.containsKey("lastId")).isFalse();
    Await.until("rollback reported", () -> losses.size() == 1);
    assertThat(losses).containsExactly(new InboxLoss(InboxLoss.Reason.ROLLBACK, "e1", 6, -1, null));
    for (long s = 1; s <= 3; s++) {
      p.send(msg("e1", s));
    }
    p.send(rolledMsg("e1", 4));
    p.send(rolledMsg("e1", 5)); // a live push during the replay
    p.send(rolledMsg("e1", 4));
    Await.until("n4 and n5 delivered", () -> delivered.size() == 7);
    assertThat(p.poll(FrameTypes.ACK, 200)).as("no ack while the seqs are not the store's").isNull();
    p.send(synced(0, 4, 1, false, sync.getString("ref")));
    assertThat(p.next(FrameTypes.ACK).getLong("seq")).isEqualTo(5);
    assertThat(client.position()).isEqualTo(new InboxPosition("e1", 5, "n5", 9_005));
    assertThat(delivered).extracting(InboxMessage::id).containsExactly("m1", "m2", "m3", "m4", "m5", "n4", "n5");
    assertThat(losses).hasSize(1);
  }

  @Test
  void moreHeldMessagesThanTheBufferKeepsAreFetchedAgainByKey() {
    client(options().setMaxBufferedAhead(2));
    ScriptedServer.Peer p = deliveredThenReconnected(5);
    JsonObject sync = p.next(FrameTypes.SYNC);
    for (long s = 1; s <= 5; s++) {
      p.send(rolledMsg("e1", s)); // the store went back to 0 and took five new messages
    }
    p.send(synced(0, 5, 1, true, sync.getString("ref")));
    JsonObject again = p.next(FrameTypes.SYNC);
    assertThat(again.getLong("after")).as("everything again, by key").isZero();
    for (long s = 1; s <= 5; s++) {
      p.send(rolledMsg("e1", s));
    }
    p.send(synced(0, 5, 1, false, again.getString("ref")));
    Await.until("the five new ones delivered", () -> delivered.size() == 10);
    assertThat(delivered.subList(5, 10)).extracting(InboxMessage::id).containsExactly("n1", "n2", "n3", "n4", "n5");
    assertThat(losses).containsExactly(new InboxLoss(InboxLoss.Reason.ROLLBACK, "e1", 6, -1, null));
    assertThat(client.position()).isEqualTo(new InboxPosition("e1", 5, "n5", 9_005));
  }

  @Test
  void aResumedPositionIsSentAsProof() {
    server.lastSeq = 7;
    client(options().setResumeFrom(new InboxPosition("e1", 7, "m7", 1_007)));
    client.connect();
    JsonObject sync = server.nextPeer().next(FrameTypes.SYNC);
    assertThat(sync.getLong("after")).isEqualTo(7);
    assertThat(sync.getString("lastId")).isEqualTo("m7");
    assertThat(sync.getLong("lastTs")).isEqualTo(1_007);
  }

  @Test
  void truncationIsReportedAndDeliveryContinuesAfterTheGap() {
    client(options());
    client.connect();
    ScriptedServer.Peer p = server.nextPeer();
    JsonObject sync = p.next(FrameTypes.SYNC);
    p.send(msg("e1", 6));
    p.send(msg("e1", 7));
    p.send(ServerFrames.synced(0, 7, "e1", true, 6, sync.getString("ref")));
    Await.until("6 and 7 delivered", () -> client.lastSeq() == 7);
    assertThat(deliveredSeqs()).containsExactly(6L, 7L);
    assertThat(losses).containsExactly(new InboxLoss(InboxLoss.Reason.TRUNCATED, "e1", 1, 5, null));
    assertThat(p.next(FrameTypes.ACK).getLong("seq")).isEqualTo(7);
  }

  @Test
  void aGapThatDoesNotFillIsRepairedWithASync() {
    client(options().setGapRepairMs(100));
    client.connect();
    ScriptedServer.Peer p = server.nextPeer();
    JsonObject first = p.next(FrameTypes.SYNC);
    p.send(ServerFrames.synced(0, 0, "e1", false, 1, first.getString("ref")));
    p.send(msg("e1", 2));
    JsonObject repair = p.next(FrameTypes.SYNC);
    assertThat(repair.getLong("after")).isZero();
    p.send(msg("e1", 1));
    p.send(msg("e1", 2));
    Await.until("both delivered", () -> client.lastSeq() == 2);
    assertThat(deliveredSeqs()).containsExactly(1L, 2L);
  }

  @Test
  void sendCompletesWithTheReceiptAndIsResentWithTheSameIdAfterAReconnect() {
    client(options());
    client.connect();
    ScriptedServer.Peer p1 = server.nextPeer();
    Future<SendReceipt> f = client.send("alice", "{\"text\":\"hi\"}");
    JsonObject send1 = p1.next(FrameTypes.SEND);
    assertThat(send1.getString("to")).isEqualTo("alice");
    assertThat(send1.getJsonObject("body").getString("text")).isEqualTo("hi");
    String id = send1.getString("id");
    assertThat(id).hasSizeBetween(1, 64);
    assertThat(client.pendingSends()).isEqualTo(1);
    p1.close(CloseCodes.GOING_AWAY, "bye"); // no sent: the client cannot know whether it was stored

    ScriptedServer.Peer p2 = server.nextPeer();
    JsonObject send2 = p2.next(FrameTypes.SEND);
    assertThat(send2.getString("id")).isEqualTo(id);
    p2.send(ServerFrames.sent(id, 1234, true, null));
    SendReceipt r = Await.result(f);
    assertThat(r).isEqualTo(new SendReceipt(id, 1234, true));
    assertThat(client.pendingSends()).isZero();
  }

  @Test
  void sendsQueuedWhileDisconnectedGoOutInOrderOnceConnected() {
    server.gate = n -> n == 1 ? new ScriptedServer.Refusal(502, Map.of()) : null;
    client(options());
    Future<SendReceipt> a = client.sendToRoom("r-1", "1");
    Future<SendReceipt> b = client.send("alice", "2");
    Future<SendReceipt> c = client.send("alice", "3", "my-own-id");
    client.connect();
    ScriptedServer.Peer p = server.nextPeer();
    JsonObject fa = p.next(FrameTypes.SEND);
    JsonObject fb = p.next(FrameTypes.SEND);
    JsonObject fc = p.next(FrameTypes.SEND);
    assertThat(fa.getString("room")).isEqualTo("r-1");
    assertThat(List.of(fa.getInteger("body"), fb.getInteger("body"), fc.getInteger("body"))).containsExactly(1, 2, 3);
    assertThat(fc.getString("id")).isEqualTo("my-own-id");
    for (JsonObject s : List.of(fa, fb, fc)) {
      p.send(ServerFrames.sent(s.getString("id"), 1, false, null));
    }
    assertThat(Await.result(c).id()).isEqualTo("my-own-id");
    assertThat(Await.result(a).dup()).isFalse();
    Await.result(b);
  }

  @Test
  void retryableErrorsResendTheSameIdPermanentOnesFailTheSend() {
    client(options());
    client.connect();
    ScriptedServer.Peer p = server.nextPeer();
    Future<SendReceipt> retried = client.send("alice", "1");
    JsonObject first = p.next(FrameTypes.SEND);
    p.send(ServerFrames.error(ErrorCodes.UNAVAILABLE, "store down", first.getString("id")));
    JsonObject again = p.next(FrameTypes.SEND);
    assertThat(again.getString("id")).isEqualTo(first.getString("id"));
    p.send(ServerFrames.sent(again.getString("id"), 5, false, null));
    assertThat(Await.result(retried).ts()).isEqualTo(5);

    // A store past its memory budget: the same id is sent again later, never given up.
    Future<SendReceipt> overloaded = client.send("alice", "2");
    JsonObject o = p.next(FrameTypes.SEND);
    p.send(ServerFrames.error(ErrorCodes.OVERLOADED, "store budget used up", o.getString("id")));
    JsonObject oAgain = p.next(FrameTypes.SEND);
    assertThat(oAgain.getString("id")).isEqualTo(o.getString("id"));
    p.send(ServerFrames.sent(oAgain.getString("id"), 6, false, null));
    assertThat(Await.result(overloaded).ts()).isEqualTo(6);

    Future<SendReceipt> refused = client.sendToRoom("secret", "1");
    JsonObject f = p.next(FrameTypes.SEND);
    p.send(ServerFrames.error(ErrorCodes.FORBIDDEN, "not a member", f.getString("id")));
    Throwable t = Await.failure(refused);
    assertThat(t).isInstanceOf(ServerErrorException.class);
    assertThat(((ServerErrorException) t).code()).isEqualTo(ErrorCodes.FORBIDDEN);
    assertThat(client.stats().sendRetries()).isEqualTo(2);
  }

  @Test
  void aFullOutboxFailsTheSendInsteadOfDroppingIt() {
    client(options().setOutboxMaxMessages(2));
    Future<SendReceipt> a = client.send("alice", "1");
    Future<SendReceipt> b = client.send("alice", "2");
    Future<SendReceipt> c = client.send("alice", "3");
    assertThat(Await.failure(c)).isInstanceOf(OutboxFullException.class);
    assertThat(client.pendingSends()).isEqualTo(2);
    assertThat(a.isComplete()).isFalse();
    assertThat(b.isComplete()).isFalse();
  }

  @Test
  void invalidSendsFailAtOnce() {
    client(options().setMaxFrameBytes(200));
    assertThat(Await.failure(client.send("alice", "{not json"))).isInstanceOf(IllegalArgumentException.class);
    assertThat(Await.failure(client.send("", "1"))).isInstanceOf(IllegalArgumentException.class);
    assertThat(Await.failure(client.send("alice", "1", "x".repeat(65)))).isInstanceOf(IllegalArgumentException.class);
    Throwable big = Await.failure(client.send("alice", "\"" + "x".repeat(300) + "\""));
    assertThat(((ServerErrorException) big).code()).isEqualTo(ErrorCodes.TOO_LARGE);
  }

  @Test
  void unauthorizedTwiceInARowIsFatal() {
    server.gate = n -> new ScriptedServer.Refusal(401, Map.of());
    client(options());
    Throwable t = Await.failure(client.connect());
    assertThat(t).isInstanceOf(HandshakeRejectedException.class);
    assertThat(((HandshakeRejectedException) t).status()).isEqualTo(401);
    assertThat(server.handshakeTokens).containsExactly("tok-1", "tok-2");
    assertThat(client.state()).isEqualTo(ConnectionState.CLOSED);
  }

  @Test
  void unauthorizedThenAFreshTokenConnects() {
    server.gate = n -> n == 1 ? new ScriptedServer.Refusal(401, Map.of()) : null;
    client(options());
    Await.result(client.connect());
    assertThat(server.handshakeTokens).containsExactly("tok-1", "tok-2");
  }

  @Test
  void theSameRefusedTokenAgainIsFatalWithoutAnotherAttempt() {
    server.gate = n -> new ScriptedServer.Refusal(401, Map.of());
    client = CourierClient.create(vertx, options(), () -> Future.succeededFuture("stale"));
    Future<SendReceipt> pending = client.send("alice", "1");
    assertThat(Await.failure(client.connect())).isInstanceOf(HandshakeRejectedException.class);
    assertThat(server.upgradeRequests()).isEqualTo(1);
    Throwable sendFailure = Await.failure(pending);
    assertThat(sendFailure).isInstanceOf(ClientClosedException.class);
    assertThat(sendFailure.getCause()).isInstanceOf(HandshakeRejectedException.class);
  }

  @Test
  void forbiddenIsFatalAtOnce() {
    server.gate = n -> new ScriptedServer.Refusal(403, Map.of());
    client(options());
    Throwable t = Await.failure(client.connect());
    assertThat(((HandshakeRejectedException) t).status()).isEqualTo(403);
    assertThat(server.upgradeRequests()).isEqualTo(1);
    assertThat(states.get(states.size() - 1).state()).isEqualTo(ConnectionState.CLOSED);
    assertThat(states.get(states.size() - 1).cause()).isSameAs(t);
  }

  @Test
  void unavailableWaitsForRetryAfter() {
    server.gate = n -> n == 1 ? new ScriptedServer.Refusal(503, Map.of("Retry-After", "1")) : null;
    client(options());
    long start = System.nanoTime();
    Await.result(client.connect());
    assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(1_000);
    StateChange reconnecting = states.stream().filter(s -> s.state() == ConnectionState.RECONNECTING)
        .findFirst().orElseThrow();
    assertThat(reconnecting.delayMs()).isBetween(1_000L, 1_020L);
    assertThat(((HandshakeRejectedException) reconnecting.cause()).retryAfterMs()).isEqualTo(1_000);
  }

  @Test
  void revokedStopsTokenExpiredReconnectsWithAFreshToken() {
    client(options());
    client.connect();
    ScriptedServer.Peer p1 = server.nextPeer();
    p1.next(FrameTypes.SYNC);
    p1.close(CloseCodes.TOKEN_EXPIRED, "token expired");
    ScriptedServer.Peer p2 = server.nextPeer();
    assertThat(p2.authorization).isEqualTo("Bearer tok-2");
    p2.next(FrameTypes.SYNC);
    p2.close(CloseCodes.REVOKED, "kicked");
    Await.until("closed", () -> client.state() == ConnectionState.CLOSED);
    StateChange last = states.get(states.size() - 1);
    assertThat(((ConnectionLostException) last.cause()).closeCode()).isEqualTo(CloseCodes.REVOKED);
    assertThat(server.upgradeRequests()).isEqualTo(2);
  }

  @Test
  void theServersReconnectFrameIsHonoured() {
    client(options().setReconnectBaseMs(5_000).setReconnectCapMs(5_000));
    client.connect();
    ScriptedServer.Peer p1 = server.nextPeer();
    p1.next(FrameTypes.SYNC);
    long start = System.nanoTime();
    p1.send(ServerFrames.reconnect("draining", 300));
    ScriptedServer.Peer p2 = server.nextPeer();
    long tookMs = (System.nanoTime() - start) / 1_000_000;
    assertThat(tookMs).isBetween(250L, 3_000L);
    Await.until("first socket closed by the client", () -> p1.closed);
    p2.next(FrameTypes.SYNC);
  }

  @Test
  void serviceRestartCloseAfterAReconnectFrameReconnectsAtTheHintedTime() {
    client(options().setReconnectBaseMs(5_000).setReconnectCapMs(5_000));
    client.connect();
    ScriptedServer.Peer p1 = server.nextPeer();
    p1.next(FrameTypes.SYNC);
    p1.send(ServerFrames.reconnect("draining", 200));
    p1.close(CloseCodes.SERVICE_RESTART, "restart");
    server.nextPeer().next(FrameTypes.SYNC);
    StateChange reconnecting = states.stream().filter(s -> s.state() == ConnectionState.RECONNECTING)
        .findFirst().orElseThrow();
    assertThat(reconnecting.delayMs()).isBetween(100L, 200L);
  }

  @Test
  void aSilentConnectionIsDetectedByPingAndReplaced() {
    server.answerPings = false;
    client(options().setPingIntervalMs(100).setPongTimeoutMs(200));
    client.connect();
    ScriptedServer.Peer p1 = server.nextPeer();
    p1.next(FrameTypes.SYNC);
    ScriptedServer.Peer p2 = server.nextPeer();
    assertThat(p1.pings.get()).isPositive();
    p2.next(FrameTypes.SYNC);
    StateChange reconnecting = states.stream().filter(s -> s.state() == ConnectionState.RECONNECTING)
        .findFirst().orElseThrow();
    assertThat(reconnecting.cause()).isInstanceOf(ConnectionLostException.class);
  }

  @Test
  void pongsKeepAConnectionAlive() {
    client(options().setPingIntervalMs(50).setPongTimeoutMs(300));
    client.connect();
    ScriptedServer.Peer p = server.nextPeer();
    Await.until("pings answered for several pong timeouts", () -> p.pings.get() >= 20);
    assertThat(server.upgradeRequests()).isEqualTo(1);
    assertThat(client.state()).isEqualTo(ConnectionState.CONNECTED);
  }

  @Test
  void aMissingWelcomeIsATimeout() {
    server.welcome = n -> n == 1 ? null : ServerFrames.welcome("s", "bob", "n", "e1", 0, 1, 0);
    client(options().setWelcomeTimeoutMs(200));
    Await.result(client.connect());
    assertThat(server.upgradeRequests()).isEqualTo(2);
  }

  @Test
  void closeStopsReconnectingAndFailsPendingSends() {
    client(options());
    client.connect();
    ScriptedServer.Peer p = server.nextPeer();
    p.next(FrameTypes.SYNC);
    Future<SendReceipt> pending = client.send("alice", "1");
    p.next(FrameTypes.SEND);
    Await.result(client.close());
    assertThat(Await.failure(pending)).isInstanceOf(ClientClosedException.class);
    assertThat(client.state()).isEqualTo(ConnectionState.CLOSED);
    Await.until("server saw the close", () -> p.closed);
    assertThat(server.peers.poll()).isNull();
    assertThat(Await.failure(client.send("alice", "2"))).isInstanceOf(ClientClosedException.class);
    int upgrades = server.upgradeRequests();
    assertThat(upgrades).isEqualTo(1);
  }

  @Test
  void joinLeaveAndPresenceAreAnsweredByRef() {
    client(options());
    Await.result(client.connect());
    ScriptedServer.Peer p = server.nextPeer();
    Future<Void> join = client.join("r-1");
    JsonObject j = p.next(FrameTypes.JOIN);
    assertThat(j.getString("room")).isEqualTo("r-1");
    p.send(new JsonObject().put("type", FrameTypes.JOINED).put("room", "r-1").put("ref", j.getString("ref")));
    Await.result(join);

    Future<Void> leave = client.join("nope");
    JsonObject l = p.next(FrameTypes.JOIN);
    p.send(ServerFrames.error(ErrorCodes.FORBIDDEN, "not allowed", l.getString("ref")));
    assertThat(((ServerErrorException) Await.failure(leave)).code()).isEqualTo(ErrorCodes.FORBIDDEN);

    Future<JsonObject> presence = client.presence(List.of("alice"));
    JsonObject q = p.next(FrameTypes.PRESENCE);
    JsonObject users = new JsonObject().put("alice", new JsonObject().put("online", true).put("devices", 2));
    p.send(new JsonObject().put("type", FrameTypes.PRESENCE).put("users", users).put("ref", q.getString("ref")));
    assertThat(Await.result(presence).getJsonObject("alice").getInteger("devices")).isEqualTo(2);
  }

  @Test
  void requestsNeedAConnection() {
    client(options());
    assertThat(Await.failure(client.join("r-1"))).isInstanceOf(NotConnectedException.class);
  }

  @Test
  void tokenExpiringTriggersAnInBandRefreshWithANewToken() {
    client(options());
    Await.result(client.connect());
    ScriptedServer.Peer p = server.nextPeer();
    p.send(ServerFrames.tokenExpiring(System.currentTimeMillis() + 1_000));
    JsonObject refresh = p.next(FrameTypes.REFRESH);
    assertThat(refresh.getString("token")).isEqualTo("tok-2");
  }
}
