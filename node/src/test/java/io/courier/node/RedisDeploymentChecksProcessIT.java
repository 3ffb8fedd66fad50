package io.courier.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.testing.Nodes;
import io.courier.testing.Ports;
import io.courier.testing.RedisServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A node on a Redis that can lose acknowledged messages (AOF fsync everysec, an evicting memory
 * policy, a connected replica that Courier does not WAIT for) says so: one WARN line per finding at
 * start, and the same findings under {@code checks.store.warnings} of {@code /health/ready}, which
 * still answers 200. A node on a Redis run as the README says (appendfsync always, noeviction, no
 * replica) reports none.
 */
class RedisDeploymentChecksProcessIT {
  /** Closes what each test started, last first, and the clients' Vert.x after them. */
  @RegisterExtension
  static final Nodes<CourierNode> nodes = InProcessNodes.named("redis-checks");

  private Vertx vertx;
  private HttpClient http;

  @BeforeEach
  void clients() {
    vertx = nodes.client();
    http = vertx.createHttpClient();
  }

  @Test
  void riskySettingsAreWarnedAtStartAndShownByReadinessWithoutFailingIt() throws Exception {
    RedisServer risky = nodes.add(RedisServer.start(Ports.free(), null, "--appendfsync", "everysec",
        "--maxmemory-policy", "allkeys-lru"));
    nodes.add(RedisServer.start(Ports.free(), null, "--replicaof", "127.0.0.1", String.valueOf(risky.port())));
    RedisServer sound = nodes.add(RedisServer.start(Ports.free(), null, "--appendfsync", "always",
        "--maxmemory-policy", "noeviction"));
    awaitConnectedReplicas(risky, 1);

    ProcessCluster riskyCluster = nodes.add(new ProcessCluster("redis-checks-risky",
        Map.of("COURIER_STORE", "redis", "COURIER_REDIS_URL", risky.url())));
    ProcessCluster soundCluster = nodes.add(new ProcessCluster("redis-checks-sound",
        Map.of("COURIER_STORE", "redis", "COURIER_REDIS_URL", sound.url())));
    NodeProcess warned = riskyCluster.start("node-risky", "connection,delivery,presence");
    NodeProcess quiet = soundCluster.start("node-sound", "connection,delivery,presence");
    warned.awaitStarted(Duration.ofSeconds(90));
    quiet.awaitStarted(Duration.ofSeconds(90));

    JsonObject store = readyStore(warned);
    assertThat(store.getString("status")).isEqualTo("UP");
    assertThat(store.getString("kind")).isEqualTo("redis");
    JsonArray warnings = store.getJsonArray("warnings");
    assertThat(warnings).hasSize(3);
    assertThat(warnings.getString(0)).contains("appendfsync").contains("everysec");
    assertThat(warnings.getString(1)).contains("maxmemory-policy is 'allkeys-lru'");
    assertThat(warnings.getString(2)).contains("1 connected replica").contains("does not WAIT");
    for (Object w : warnings) {
      JsonObject line = warned.awaitLog((String) w, j -> true, Duration.ofSeconds(10));
      assertThat(line.getString("level")).isEqualTo("WARN");
      assertThat(warned.logLines().stream().filter(j -> w.equals(j.getString("message")))).hasSize(1);
    }

    JsonObject soundStore = readyStore(quiet);
    assertThat(soundStore.getString("status")).isEqualTo("UP");
    assertThat(soundStore.getJsonArray("warnings")).isEmpty();
    assertThat(quiet.logLines()).noneMatch(j -> "WARN".equals(j.getString("level"))
        && String.valueOf(j.getString("message")).startsWith("Redis"));
  }

  /** The store entry of a 200 /health/ready, waited for (readiness follows the start by a moment). */
  private JsonObject readyStore(NodeProcess node) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    Http.Reply r;
    while ((r = Http.call(http, HttpMethod.GET, node.port(), "/health/ready", null, null)).status() != 200) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not ready: " + r.body() + "\n" + node.diagnostics());
      }
      NodeProcess.pause(100);
    }
    return r.json().getJsonObject("checks").getJsonObject("store");
  }

  private void awaitConnectedReplicas(RedisServer primary, int n) {
    RedisAPI api = RedisAPI.api(Redis.createClient(vertx, primary.url()));
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!api.info(List.of("replication")).await().toString().contains("connected_slaves:" + n)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("replica did not connect to " + primary.url());
      }
      NodeProcess.pause(50);
    }
  }
}
