package io.courier.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.testing.Nodes;
import io.courier.testing.Ports;
import io.courier.testing.RedisServer;
import io.courier.tokens.TokenIssuer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a store keeps when the whole cluster restarts: a one-node cluster gets three messages for an
 * offline user, is drained with SIGTERM and started again. The default Hazelcast store keeps them
 * only in memory, so the inbox comes back empty with a new epoch (and the node says at start that
 * it would: one WARN line); the Redis store (AOF, appendfsync always) gives back the same epoch and
 * every message.
 */
class StoreRestartProcessIT {
  private static final String MEMORY_ONLY = "messages live only in the cluster's memory";
  /** Closes what each test started, last first, and the clients' Vert.x after them. */
  @RegisterExtension
  static final Nodes<CourierNode> nodes = InProcessNodes.named("store-restart");

  private Vertx vertx;
  private final String run = UUID.randomUUID().toString().substring(0, 8);

  @BeforeEach
  void clients() {
    vertx = nodes.client();
  }

  /** The inbox of the recipient after a send of three messages: its welcome (epoch, lastSeq). */
  private record Seen(String epoch, long lastSeq, List<String> ids) {}

  @Test
  void theHazelcastStoreLosesEveryInboxWhenTheLastMemberStopsAndSaysSoAtStart() {
    Map<String, String> settings = Map.of("COURIER_DRAIN_GRACE_MS", "1000");
    NodeProcess first = startOneNode("restart-hz", settings);
    JsonObject warn = first.awaitLog(MEMORY_ONLY + " (COURIER_HZ_BACKUP_COUNT=1 backup) and are lost when the last "
        + "member stops; for durable inboxes use COURIER_STORE=redis", j -> true, Duration.ofSeconds(10));
    assertThat(warn.getString("level")).isEqualTo("WARN");
    assertThat(first.logLines().stream().filter(j -> String.valueOf(j.getString("message")).startsWith(MEMORY_ONLY)))
        .hasSize(1);

    Seen before = sendThreeAndLook(first);
    assertThat(before.lastSeq()).isEqualTo(3);
    assertThat(first.terminate(Duration.ofSeconds(60))).isZero();

    NodeProcess second = startOneNode("restart-hz-again", settings);
    Seen after = look(second);
    // The documented truth of the default store: a restarted cluster starts every inbox afresh.
    assertThat(after.epoch()).isNotEqualTo(before.epoch());
    assertThat(after.lastSeq()).isZero();
    assertThat(after.ids()).isEmpty();
  }

  @Test
  void theRedisStoreKeepsEpochAndMessagesAcrossARestart() {
    RedisServer redis = nodes.add(RedisServer.start(Ports.free(), null, "--appendfsync", "always"));
    Map<String, String> settings = Map.of("COURIER_DRAIN_GRACE_MS", "1000", "COURIER_STORE", "redis",
        "COURIER_REDIS_URL", redis.url());
    NodeProcess first = startOneNode("restart-redis", settings);
    Seen before = sendThreeAndLook(first);
    assertThat(first.terminate(Duration.ofSeconds(60))).isZero();

    NodeProcess second = startOneNode("restart-redis-again", settings);
    Seen after = look(second);
    assertThat(after.epoch()).isEqualTo(before.epoch());
    assertThat(after.lastSeq()).isEqualTo(3);
    assertThat(after.ids()).containsExactly("m1-" + run, "m2-" + run, "m3-" + run);
    assertThat(first.logLines()).noneMatch(j -> String.valueOf(j.getString("message")).startsWith(MEMORY_ONLY));
  }

  private ProcessCluster cluster;

  /** A cluster of one, new each time: a cluster whose last member stopped is gone. */
  private NodeProcess startOneNode(String name, Map<String, String> settings) {
    cluster = nodes.add(new ProcessCluster(name, settings));
    NodeProcess node = cluster.start(name, "connection,delivery,presence");
    cluster.awaitFormed(Duration.ofSeconds(90));
    return node;
  }

  private String token(String user) {
    return TokenIssuer.issue(cluster.secret(), user, Duration.ofMinutes(5), List.of());
  }

  private Seen sendThreeAndLook(NodeProcess node) {
    try (WsProbe alice = WsProbe.connect(vertx, node.port(), token("alice-" + run))) {
      alice.next("welcome");
      for (int i = 1; i <= 3; i++) {
        String id = "m" + i + "-" + run;
        alice.send(new JsonObject().put("type", "send").put("id", id).put("to", "bob-" + run)
            .put("body", new JsonObject().put("n", i)));
        JsonObject answer = alice.next(f -> id.equals(f.getString("id")) || id.equals(f.getString("ref")),
            Duration.ofSeconds(20));
        assertThat(answer.getString("type")).as(answer.encode()).isEqualTo("sent");
      }
    }
    return look(node);
  }

  /** Bob's welcome and a full sync, then he leaves (so the drain has nothing to wait for). */
  private Seen look(NodeProcess node) {
    try (WsProbe bob = WsProbe.connect(vertx, node.port(), token("bob-" + run))) {
      JsonObject welcome = bob.next("welcome");
      bob.send(new JsonObject().put("type", "sync").put("after", 0));
      List<String> ids = new ArrayList<>();
      while (true) {
        JsonObject f = bob.next(x -> "msg".equals(x.getString("type")) || "synced".equals(x.getString("type")),
            WsProbe.WAIT);
        if ("synced".equals(f.getString("type"))) {
          break;
        }
        ids.add(f.getString("id"));
      }
      return new Seen(welcome.getString("epoch"), welcome.getLong("lastSeq"), ids);
    }
  }
}
