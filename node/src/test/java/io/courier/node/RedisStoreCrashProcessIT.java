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
 * The Redis store in a split deployment (two gateway processes, two delivery processes): a
 * delivery process and then a gateway process are SIGKILLed between sends. Neither holds messages,
 * so every message that got {@code sent} (before, during and after the kills; refused ones resent
 * with the same id) comes back once, in order, in one epoch, when the recipient syncs on the
 * surviving gateway.
 */
class RedisStoreCrashProcessIT {
  /** Closes what each test started, last first, and the clients' Vert.x after them. */
  @RegisterExtension
  static final Nodes<CourierNode> nodes = InProcessNodes.named("redis-crash");

  private Vertx vertx;
  private final String run = UUID.randomUUID().toString().substring(0, 8);
  private ProcessCluster cluster;

  @BeforeEach
  void clients() {
    vertx = nodes.client();
  }

  @Test
  void killingADeliveryAndAGatewayProcessLosesNoConfirmedMessage() {
    RedisServer redis = nodes.add(RedisServer.start(Ports.free(), null, "--appendfsync", "always"));
    cluster = nodes.add(new ProcessCluster("redis-crash", Map.of("COURIER_STORE", "redis",
        "COURIER_REDIS_URL", redis.url(), "COURIER_BUS_TIMEOUT_MS", "2000")));
    NodeProcess gatewayA = cluster.start("gateway-a", "connection,presence").awaitStarted(Duration.ofSeconds(90));
    NodeProcess gatewayB = cluster.start("gateway-b", "connection,presence");
    cluster.start("delivery-1", "delivery");
    NodeProcess delivery2 = cluster.start("delivery-2", "delivery");
    cluster.awaitFormed(Duration.ofSeconds(120));

    // The gateway-only node's readiness asks a delivery process for the store's findings.
    io.vertx.core.http.HttpClient http = vertx.createHttpClient();
    Http.Reply ready = Http.call(http, io.vertx.core.http.HttpMethod.GET, gatewayA.port(), "/health/ready", null, null);
    assertThat(ready.status()).as(ready.body()).isEqualTo(200);
    assertThat(ready.json().getJsonObject("checks").getJsonObject("store").getString("kind")).isEqualTo("redis");
    assertThat(ready.json().getJsonObject("checks").getJsonObject("store").getJsonArray("warnings")).isEmpty();

    String bob = "bob-" + run;
    List<String> confirmed = new ArrayList<>();
    WsProbe aliceOnA = nodes.add(WsProbe.connect(vertx, gatewayA.port(), token("alice-" + run)));
    aliceOnA.next("welcome");
    for (int i = 1; i <= 5; i++) {
      confirmed.add(sendConfirmed(aliceOnA, "m" + i + "-" + run, bob));
    }
    delivery2.kill();
    for (int i = 6; i <= 10; i++) {
      confirmed.add(sendConfirmed(aliceOnA, "m" + i + "-" + run, bob));
    }
    gatewayA.kill();
    WsProbe aliceOnB = nodes.add(WsProbe.connect(vertx, gatewayB.port(), token("alice-" + run)));
    aliceOnB.next("welcome");
    for (int i = 11; i <= 13; i++) {
      confirmed.add(sendConfirmed(aliceOnB, "m" + i + "-" + run, bob));
    }

    WsProbe bobOnB = nodes.add(WsProbe.connect(vertx, gatewayB.port(), token(bob)));
    JsonObject welcome = bobOnB.next("welcome");
    assertThat(welcome.getLong("lastSeq")).isEqualTo(13L);
    bobOnB.send(new JsonObject().put("type", "sync").put("after", 0));
    List<String> ids = new ArrayList<>();
    List<Long> seqs = new ArrayList<>();
    while (true) {
      JsonObject f = bobOnB.next(x -> "msg".equals(x.getString("type")) || "synced".equals(x.getString("type")),
          WsProbe.WAIT);
      if ("synced".equals(f.getString("type"))) {
        break;
      }
      assertThat(f.getString("epoch")).isEqualTo(welcome.getString("epoch"));
      ids.add(f.getString("id"));
      seqs.add(f.getLong("seq"));
    }
    assertThat(ids).containsExactlyElementsOf(confirmed);
    assertThat(seqs).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L);
  }

  private String token(String user) {
    return TokenIssuer.issue(cluster.secret(), user, Duration.ofMinutes(5), List.of());
  }

  /** Sends until answered {@code sent} (a refusal, {@code error unavailable}, is resent with the same id). */
  private static String sendConfirmed(WsProbe p, String id, String to) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      p.send(new JsonObject().put("type", "send").put("id", id).put("to", to).put("body", new JsonObject().put("id", id)));
      JsonObject answer = p.next(f -> ("sent".equals(f.getString("type")) && id.equals(f.getString("id")))
          || ("error".equals(f.getString("type")) && id.equals(f.getString("ref"))), Duration.ofSeconds(15));
      if ("sent".equals(answer.getString("type"))) {
        return id;
      }
      assertThat(answer.getString("code")).as(answer.encode()).isEqualTo("unavailable");
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no sent for " + id + " within 60 s: " + answer.encode());
      }
      NodeProcess.pause(200);
    }
  }
}
