package io.courier.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.protocol.ConfigKeys;
import io.courier.testing.Nodes;
import io.courier.testing.RedisServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Admission control (COURIER_STORE_ADMISSION_MS, _MIN) against a real Redis that stops answering
 * (SIGSTOP): the sends already waiting stay waiting, and a send past the bound is answered
 * {@code overloaded} at once, while Redis is still stopped, instead of waiting for the store
 * call to time out. Once Redis answers again, the waiting sends are stored, the refused one is
 * stored when resent with its id, and the recipient gets every message once.
 */
class StoreAdmissionTest {
  private static final int MIN = 3;

  @RegisterExtension
  static final Nodes<CourierNode> nodes = InProcessNodes.named("admission");

  @Test
  void aStalledStoreGetsOverloadedAnsweredAtOnceAndNothingIsLost() {
    RedisServer redis = nodes.add(RedisServer.start());
    CourierNode node = nodes.start(nodes.config()
        .with(ConfigKeys.STORE, "redis").with(ConfigKeys.REDIS_URL, redis.url())
        .with(ConfigKeys.STORE_ADMISSION_MS, 200)
        .with(ConfigKeys.STORE_ADMISSION_MIN, MIN)
        // Store calls would time out after 15 s: every answer below comes from admission or Redis.
        .with(ConfigKeys.BUS_TIMEOUT_MS, 30_000));
    Vertx client = nodes.client();
    String run = UUID.randomUUID().toString().substring(0, 6);
    String bob = "bob-" + run;
    List<WsProbe> senders = new ArrayList<>();
    try (WsProbe b = WsProbe.connect(client, node.port(), nodes.token(bob))) {
      b.next("welcome");
      // Connected first: a welcome reads the inbox's head from the store.
      for (int i = 0; i < 20; i++) {
        WsProbe s = nodes.add(WsProbe.connect(client, node.port(), nodes.token("sender" + i + "-" + run)));
        s.next("welcome");
        senders.add(s);
      }
      redis.pause();
      JsonObject refusal = null;
      String refusedId = null;
      WsProbe refusedBy = null;
      // One send per connection (a connection sends to the store one at a time). The first MIN are
      // always taken; later ones are taken until the store has been silent for 200 ms.
      int used = 0;
      for (int i = 0; i < senders.size() && refusal == null; i++) {
        WsProbe s = senders.get(i);
        used++;
        String id = "m" + i;
        s.send(new JsonObject().put("type", "send").put("id", id).put("to", bob).put("body", i));
        JsonObject answer = s.poll(f -> "error".equals(f.getString("type")) || "sent".equals(f.getString("type")),
            Duration.ofSeconds(1));
        if (answer != null) {
          assertThat(i).as("the first %d sends are always taken", MIN).isGreaterThanOrEqualTo(MIN);
          refusal = answer;
          refusedId = id;
          refusedBy = s;
        }
      }
      assertThat(refusal).as("a send refused while Redis is stopped").isNotNull();
      assertThat(refusal.getString("type")).isEqualTo("error");
      assertThat(refusal.getString("code")).isEqualTo("overloaded");
      assertThat(refusal.getString("ref")).isEqualTo(refusedId);
      assertThat(Scrape.of(client, node.port()).value("courier_store_errors_total", "op=\"append\"",
          "reason=\"behind\"")).isGreaterThanOrEqualTo(1.0);

      redis.resume();
      Set<Integer> expected = new HashSet<>();
      for (int i = 0; i < used; i++) {
        WsProbe s = senders.get(i);
        if (s == refusedBy) {
          s.send(new JsonObject().put("type", "send").put("id", refusedId).put("to", bob).put("body", i));
        }
        JsonObject sent = s.next("sent");
        assertThat(sent.containsKey("dup")).as("stored once, by this answer").isFalse();
        expected.add(i);
      }
      Set<Integer> got = new HashSet<>();
      for (int k = 0; k < expected.size(); k++) {
        JsonObject m = b.next("msg");
        assertThat(got.add(m.getInteger("body"))).as("delivered once: %s", m).isTrue();
        b.send(new JsonObject().put("type", "ack").put("seq", m.getLong("seq")));
      }
      assertThat(got).isEqualTo(expected);
      b.expectNone("msg", Duration.ofMillis(300));
    } finally {
      redis.resume();
    }
  }
}
