package io.courier.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.testing.Nodes;
import io.courier.testing.RedisServer;
import io.courier.tokens.TokenIssuer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Redis (the message store) is SIGKILLed under a node process and started again on the same port
 * and directory (AOF): sends during the outage answer {@code error unavailable}, never
 * {@code sent}; WebSocket connections stay up; the node recovers by itself; nothing that got
 * {@code sent} is lost. Spoken with the raw probe, so the test sees exactly the wire frames.
 */
class RedisOutageProcessIT {
  /** Closes what each test started, last first, and the clients' Vert.x after them. */
  @RegisterExtension
  static final Nodes<CourierNode> nodes = InProcessNodes.named("redis-outage");

  private Vertx vertx;

  @BeforeEach
  void clients() {
    vertx = nodes.client();
  }

  /** Sends {@code id} to {@code to}; returns the {@code sent} or {@code error} frame that answers it. */
  private static JsonObject send(WsProbe p, String id, String to) {
    p.send(new JsonObject().put("type", "send").put("id", id).put("to", to).put("body", new JsonObject().put("id", id)));
    return p.next(f -> ("sent".equals(f.getString("type")) && id.equals(f.getString("id")))
        || ("error".equals(f.getString("type")) && id.equals(f.getString("ref"))), Duration.ofSeconds(15));
  }

  /** A full replay: every msg frame from {@code sync after 0} up to {@code synced}. */
  private static List<JsonObject> syncAll(WsProbe p) {
    p.send(new JsonObject().put("type", "sync").put("after", 0));
    List<JsonObject> msgs = new ArrayList<>();
    while (true) {
      JsonObject f = p.next(x -> "msg".equals(x.getString("type")) || "synced".equals(x.getString("type")),
          WsProbe.WAIT);
      if ("synced".equals(f.getString("type"))) {
        return msgs;
      }
      msgs.add(f);
    }
  }

  @Test
  void aRedisCrashAnswersUnavailableKeepsConnectionsAndLosesNothingConfirmed() throws Exception {
    RedisServer redis = nodes.add(RedisServer.start());
    ProcessCluster cluster = nodes.add(new ProcessCluster("redis-outage",
        Map.of("COURIER_STORE", "redis", "COURIER_REDIS_URL", redis.url())));
    NodeProcess node = cluster.start("node-1", "connection,delivery,presence");
    cluster.awaitFormed(Duration.ofSeconds(60));

    String run = UUID.randomUUID().toString().substring(0, 8);
    String alice = "alice-" + run;
    String bob = "bob-" + run;
    WsProbe a = nodes.add(WsProbe.connect(vertx, node.port(),
        TokenIssuer.issue(cluster.secret(), alice, Duration.ofMinutes(10), List.of())));
    WsProbe b = nodes.add(WsProbe.connect(vertx, node.port(),
        TokenIssuer.issue(cluster.secret(), bob, Duration.ofMinutes(10), List.of())));
    a.next("welcome");
    String epoch = b.next("welcome").getString("epoch");

    List<String> confirmed = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      JsonObject r = send(a, "before-" + i, bob);
      assertThat(r.getString("type")).isEqualTo("sent");
      confirmed.add("before-" + i);
    }

    redis.kill();
    long killedAt = System.currentTimeMillis();
    List<String> refused = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      JsonObject r = send(a, "during-" + i, bob);
      assertThat(r.getString("type")).as("answer during the outage: %s", r).isEqualTo("error");
      assertThat(r.getString("code")).isEqualTo("unavailable");
      refused.add("during-" + i);
    }
    long refusedWithinMs = System.currentTimeMillis() - killedAt;
    a.send(new JsonObject().put("type", "ping"));
    a.next("pong");
    assertThat(a.isClosed()).isFalse();
    assertThat(b.isClosed()).isFalse();

    RedisServer again = nodes.add(RedisServer.start(redis.port(), redis.dir()));
    long restartedAt = System.currentTimeMillis();
    // the client's part: resend with the same id until sent
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!"sent".equals(send(a, refused.get(0), bob).getString("type"))) {
      assertThat(System.nanoTime()).as("recovered within 20 s").isLessThan(deadline);
      NodeProcess.pause(100);
    }
    long recoveredMs = System.currentTimeMillis() - restartedAt;
    for (String id : refused) {
      JsonObject r = send(a, id, bob);
      assertThat(r.getString("type")).isEqualTo("sent");
      assertThat(r.getBoolean("dup", false)).isEqualTo(id.equals(refused.get(0)));
      confirmed.add(id);
    }
    for (int i = 0; i < 3; i++) {
      assertThat(send(a, "after-" + i, bob).getString("type")).isEqualTo("sent");
      confirmed.add("after-" + i);
    }
    assertThat(a.isClosed()).isFalse();
    assertThat(b.isClosed()).isFalse();

    // a second device of bob replays the whole inbox: every confirmed message once, in order, same epoch
    WsProbe b2 = nodes.add(WsProbe.connect(vertx, node.port(),
        TokenIssuer.issue(cluster.secret(), bob, Duration.ofMinutes(10), List.of())));
    JsonObject welcome = b2.next("welcome");
    assertThat(welcome.getString("epoch")).isEqualTo(epoch);
    assertThat(welcome.getLong("lastSeq")).isEqualTo(confirmed.size());
    List<JsonObject> replay = syncAll(b2);
    assertThat(replay.stream().map(m -> m.getString("id")).toList()).containsExactlyElementsOf(confirmed);
    assertThat(replay.stream().mapToLong(m -> m.getLong("seq")).toArray())
        .containsExactly(LongStream.rangeClosed(1, confirmed.size()).toArray());
    assertThat(replay).allSatisfy(m -> assertThat(m.getString("epoch")).isEqualTo(epoch));
    System.out.printf("redis outage: confirmedBefore=5 refusedDuring=%d refusedWithinMs=%d recoveredAfterRestartMs=%d"
        + " totalStored=%d%n", refused.size(), refusedWithinMs, recoveredMs, confirmed.size());
  }
}
