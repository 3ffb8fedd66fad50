package io.courier.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.tokens.TokenIssuer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Watching across two node processes: a watcher on node 2 is told when a user connects to node 1,
 * and, after node 1 is SIGKILLed, that the user went offline: the surviving presence verticle
 * purges the dead member's devices and tells the watching nodes. Neither node re-reads watched
 * users, so only the change messages can pass this test.
 */
class PresenceCrashProcessIT {
  /** Documented: member removal (a refused connection: ~0.5 s; a silent member: 10 s) + the purge pass + one message. */
  static final Duration CRASH_BOUND = Duration.ofSeconds(15);
  static final Duration LIVE_BOUND = Duration.ofSeconds(5);

  private final Vertx vertx = Vertx.vertx();
  private ProcessCluster cluster;

  @AfterEach
  void tearDown() {
    if (cluster != null) {
      cluster.close();
    }
    vertx.close().await();
  }

  @Test
  void aWatcherIsToldThatTheUsersOfAKilledNodeWentOffline() {
    cluster = new ProcessCluster("presence-crash", Map.of("COURIER_PRESENCE_RECONCILE_MS", "0"));
    NodeProcess doomed = cluster.start("node-1", "connection,delivery,presence");
    NodeProcess survivor = cluster.start("node-2", "connection,delivery,presence");
    cluster.awaitFormed(Duration.ofSeconds(90));

    String run = UUID.randomUUID().toString().substring(0, 8);
    String alice = "alice-" + run;
    String bob = "bob-" + run;
    try (WsProbe watcher = connect(survivor, "watcher-" + run)) {
      watcher.send(new JsonObject().put("type", "watch").put("users", new JsonArray().add(alice).add(bob))
          .put("ref", "w"));
      JsonObject reply = watcher.next("presence");
      assertThat(reply.getJsonObject("users").getJsonObject(alice).getBoolean("online")).isFalse();

      long connectAt = System.nanoTime();
      WsProbe a = connect(doomed, alice);
      WsProbe b1 = connect(doomed, bob);
      WsProbe b2 = connect(survivor, bob);
      JsonObject aliceOn = change(watcher, alice, LIVE_BOUND);
      long onlineMs = ms(connectAt);
      assertThat(aliceOn.getBoolean("online")).isTrue();
      assertThat(change(watcher, bob, LIVE_BOUND).getBoolean("online")).isTrue();

      long killedAt = System.nanoTime();
      doomed.kill();
      JsonObject aliceOff = change(watcher, alice, CRASH_BOUND);
      long offlineMs = ms(killedAt);
      assertThat(aliceOff.getBoolean("online")).isFalse();
      assertThat(aliceOff.getInteger("devices")).isZero();

      // Bob keeps his device on the survivor: still online, no change, one device left.
      watcher.send(new JsonObject().put("type", "presence").put("users", new JsonArray().add(bob)).put("ref", "q"));
      JsonObject bobNow = watcher.next(f -> "q".equals(f.getString("ref")), WsProbe.WAIT)
          .getJsonObject("users").getJsonObject(bob);
      assertThat(bobNow.getBoolean("online")).isTrue();
      assertThat(bobNow.getInteger("devices")).isEqualTo(1);
      assertThat(watcher.seen()).filteredOn(f -> "presence_changed".equals(f.getString("type"))
          && bob.equals(f.getString("user"))).hasSize(1);
      b2.close();
      assertThat(change(watcher, bob, LIVE_BOUND).getBoolean("online")).isFalse();
      a.close();
      b1.close();
      System.out.println("presence crash: online told " + onlineMs + " ms after the connect, offline "
          + offlineMs + " ms after the SIGKILL");
    }
  }

  private WsProbe connect(NodeProcess node, String user) {
    WsProbe p = WsProbe.connect(vertx, node.port(),
        TokenIssuer.issue(cluster.secret(), user, Duration.ofMinutes(10), List.of()));
    p.next("welcome");
    return p;
  }

  private static JsonObject change(WsProbe w, String user, Duration within) {
    return w.next(f -> "presence_changed".equals(f.getString("type")) && user.equals(f.getString("user")), within);
  }

  private static long ms(long since) {
    return Duration.ofNanos(System.nanoTime() - since).toMillis();
  }
}
