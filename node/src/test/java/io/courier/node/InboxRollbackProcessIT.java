package io.courier.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.map.IMap;
import io.courier.cluster.Maps;
import io.courier.delivery.store.hazelcast.Inbox;
import io.courier.protocol.ConfigKeys;
import io.courier.testing.Nodes;
import io.courier.testing.RedisServer;
import io.courier.tokens.TokenIssuer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An inbox that goes back in the same epoch (the store comes back older than what clients saw)
 * never makes a client drop the messages stored after it. Messages 1-3 to bob, a copy of the store
 * kept, messages 4-5 received and acked, the older copy brought back, two new messages sent (they
 * get seqs 4 and 5 again, same epoch): a bob that stayed connected is closed with 1012, and a bob
 * that reconnects and syncs with its proof of position ({@code lastId}, {@code lastTs}) gets
 * {@code synced.reset} and both new messages. Spoken with raw frames.
 */
class InboxRollbackProcessIT {
  private static final String ROLLED_BACK = "inbox rolled back; reconnect and sync";

  /** Closes what each test started, last first, and the clients' Vert.x after them. */
  @RegisterExtension
  static final Nodes<CourierNode> nodes = InProcessNodes.named("inbox-rollback");

  private Vertx vertx;

  @BeforeEach
  void clients() {
    vertx = nodes.client();
  }

  /**
   * A real redis-server persisting by RDB snapshots only, under a real node process: SAVE after
   * message 3, SIGKILL after message 5, restart from the saved dump (what a crash with RDB
   * persistence, or a restore from a backup, does).
   */
  @Test
  void redisRestartedFromAnOlderSnapshot() {
    RedisServer redis = RedisServer.startWithSnapshots();
    AtomicReference<RedisServer> current = new AtomicReference<>(redis);
    nodes.add(() -> current.get().close());
    ProcessCluster cluster = nodes.add(new ProcessCluster("inbox-rollback",
        Map.of("COURIER_STORE", "redis", "COURIER_REDIS_URL", redis.url())));
    NodeProcess node = cluster.start("node-1", "connection,delivery,presence");
    cluster.awaitFormed(Duration.ofSeconds(60));
    AtomicReference<Path> snapshot = new AtomicReference<>();
    scenario(node.port(), cluster.secret(),
        () -> snapshot.set(current.get().snapshot()),
        () -> current.set(current.get().restartFrom(snapshot.get())));
  }

  /**
   * The Hazelcast store, one real member. A backup promoted after missing the last writes holds an
   * older copy of the inbox entry in the same epoch; Hazelcast gives no deterministic way to make a
   * backup miss writes (backups are sent with every append), so the test puts exactly that state
   * in place: it keeps a copy of bob's entry of the real {@code courier.inboxes} map after message
   * 3 and writes it back after message 5.
   */
  @Test
  void hazelcastInboxEntryReplacedByAnOlderCopy() {
    String secret = nodes.secret();
    CourierNode node = nodes.start(nodes.config().with(ConfigKeys.STORE, "hazelcast"));
    IMap<String, Inbox> inboxes = node.context().hazelcast().getMap(Maps.INBOXES);
    AtomicReference<Inbox> older = new AtomicReference<>();
    AtomicReference<String> bob = new AtomicReference<>();
    scenario(node.port(), secret, bob,
        // A map read returns a copy of the value (the map keeps it as an object on its owner).
        () -> older.set(inboxes.get(bob.get())),
        () -> inboxes.set(bob.get(), older.get()));
  }

  private void scenario(int port, String secret, Runnable keepCopy, Runnable rollBack) {
    scenario(port, secret, new AtomicReference<>(), keepCopy, rollBack);
  }

  private void scenario(int port, String secret, AtomicReference<String> bobName, Runnable keepCopy,
                        Runnable rollBack) {
    String run = UUID.randomUUID().toString().substring(0, 8);
    String alice = "alice-" + run;
    String bob = "bob-" + run;
    bobName.set(bob);
    WsProbe a = nodes.add(connect(port, secret, alice));
    a.next("welcome");
    // b1 leaves before the rollback and comes back later; b2 stays connected across it.
    WsProbe b1 = nodes.add(connect(port, secret, bob));
    WsProbe b2 = nodes.add(connect(port, secret, bob));
    String epoch = b1.next("welcome").getString("epoch");
    b2.next("welcome");

    for (int i = 1; i <= 3; i++) {
      sendUntilSent(a, "m" + i, bob);
    }
    receiveAndAck(b1, 1, 3);
    receiveAndAck(b2, 1, 3);
    keepCopy.run();
    for (int i = 4; i <= 5; i++) {
      sendUntilSent(a, "m" + i, bob);
    }
    JsonObject m5 = receiveAndAck(b1, 4, 5);
    assertThat(receiveAndAck(b2, 4, 5).getLong("ts")).isEqualTo(m5.getLong("ts"));
    b1.close();

    rollBack.run();
    JsonObject n1 = sendUntilSent(a, "n1", bob);
    JsonObject n2 = sendUntilSent(a, "n2", bob);

    // The connection that had released up to seq 5 sees new messages at seqs it already released.
    short code = b2.awaitCloseBy(System.nanoTime() + Duration.ofSeconds(15).toNanos());
    assertThat(code).as("close of the connection that stayed; frames seen: %s", b2.seen()).isEqualTo((short) 1012);
    assertThat(b2.closeReason()).isEqualTo(ROLLED_BACK);
    assertThat(b2.seen()).noneMatch(f -> "msg".equals(f.getString("type")) && f.getString("id").startsWith("n"));

    // Each device reconnects with its proof of position (the message at seq 5): reset and both new messages.
    for (int device = 1; device <= 2; device++) {
      WsProbe again = nodes.add(connect(port, secret, bob));
      JsonObject welcome = again.next("welcome");
      assertThat(welcome.getString("epoch")).isEqualTo(epoch);
      assertThat(welcome.getLong("lastSeq")).isEqualTo(5);
      Sync s = sync(again, new JsonObject().put("after", 5).put("epoch", epoch).put("lastId", "m5")
          .put("lastTs", m5.getLong("ts")));
      assertThat(s.synced.getBoolean("reset")).as("synced %s", s.synced).isTrue();
      assertThat(s.synced.getLong("after")).isZero();
      assertThat(s.synced.getLong("upTo")).isEqualTo(5);
      assertThat(s.synced.getString("epoch")).isEqualTo(epoch);
      assertThat(s.synced.getLong("firstAvailable")).isEqualTo(1);
      assertThat(s.synced.containsKey("truncated")).isFalse();
      assertThat(s.ids()).containsExactly("m1", "m2", "m3", "n1", "n2");
      assertThat(s.msgs.get(3).getLong("ts")).isEqualTo(n1.getLong("ts"));
      assertThat(s.msgs.get(4).getLong("ts")).isEqualTo(n2.getLong("ts"));
      again.close();
    }

    WsProbe b3 = nodes.add(connect(port, secret, bob));
    b3.next("welcome");
    // A client with the store's own history at seq 5 is not reset and gets nothing more.
    Sync current = sync(b3, new JsonObject().put("after", 5).put("epoch", epoch).put("lastId", "n2")
        .put("lastTs", n2.getLong("ts")));
    assertThat(current.synced.containsKey("reset")).isFalse();
    assertThat(current.synced.getLong("after")).isEqualTo(5);
    assertThat(current.msgs).isEmpty();
    // A client without the proof that is ahead of the store is reset too.
    Sync ahead = sync(b3, new JsonObject().put("after", 9).put("epoch", epoch));
    assertThat(ahead.synced.getBoolean("reset")).isTrue();
    assertThat(ahead.ids()).containsExactly("m1", "m2", "m3", "n1", "n2");
    // Without the proof, at or behind the store's lastSeq, nothing can be told: replay after the seq.
    Sync behind = sync(b3, new JsonObject().put("after", 3).put("epoch", epoch));
    assertThat(behind.synced.containsKey("reset")).isFalse();
    assertThat(behind.ids()).containsExactly("n1", "n2");
    // Another epoch keeps its answer: the current one from seq 1, no reset field.
    Sync foreign = sync(b3, new JsonObject().put("after", 5).put("epoch", "another").put("lastId", "m5"));
    assertThat(foreign.synced.containsKey("reset")).isFalse();
    assertThat(foreign.synced.getLong("after")).isZero();
    assertThat(foreign.ids()).containsExactly("m1", "m2", "m3", "n1", "n2");
  }

  private WsProbe connect(int port, String secret, String user) {
    return WsProbe.connect(vertx, port, TokenIssuer.issue(secret, user, Duration.ofMinutes(10), List.of()));
  }

  /** Sends until answered {@code sent} (the store may refuse while it comes back); returns that frame. */
  private static JsonObject sendUntilSent(WsProbe p, String id, String to) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      p.send(new JsonObject().put("type", "send").put("id", id).put("to", to).put("body", new JsonObject().put("id", id)));
      JsonObject r = p.next(f -> ("sent".equals(f.getString("type")) && id.equals(f.getString("id")))
          || ("error".equals(f.getString("type")) && id.equals(f.getString("ref"))), Duration.ofSeconds(15));
      if ("sent".equals(r.getString("type"))) {
        return r;
      }
      assertThat(r.getString("code")).as("refusal %s", r).isEqualTo("unavailable");
      assertThat(System.nanoTime()).as("%s sent within 30 s", id).isLessThan(deadline);
      NodeProcess.pause(100);
    }
  }

  /** Receives msgs {@code from}..{@code to} in order, acking each; returns the last. */
  private static JsonObject receiveAndAck(WsProbe p, long from, long to) {
    JsonObject m = null;
    for (long seq = from; seq <= to; seq++) {
      m = p.next("msg");
      assertThat(m.getLong("seq")).isEqualTo(seq);
      assertThat(m.getString("id")).isEqualTo("m" + seq);
      p.send(new JsonObject().put("type", "ack").put("seq", seq));
    }
    return m;
  }

  private record Sync(List<JsonObject> msgs, JsonObject synced) {
    List<String> ids() {
      return msgs.stream().map(m -> m.getString("id")).toList();
    }
  }

  private static Sync sync(WsProbe p, JsonObject fields) {
    String ref = "sync-" + UUID.randomUUID();
    p.send(fields.copy().put("type", "sync").put("ref", ref));
    List<JsonObject> msgs = new ArrayList<>();
    while (true) {
      JsonObject f = p.next(x -> "msg".equals(x.getString("type")) || "synced".equals(x.getString("type"))
          || "error".equals(x.getString("type")), WsProbe.WAIT);
      assertThat(f.getString("type")).as("answer to sync: %s", f).isNotEqualTo("error");
      if ("synced".equals(f.getString("type"))) {
        assertThat(f.getString("ref")).isEqualTo(ref);
        return new Sync(msgs, f);
      }
      msgs.add(f);
    }
  }
}
