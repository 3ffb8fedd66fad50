package io.courier.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.testing.Nodes;
import io.courier.tokens.TokenIssuer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A node with a small heap, the rate limits lifted, flooded by 20 senders with 60,000-byte messages
 * to 200 offline recipients. With the Hazelcast store's memory budget, the flood is refused with
 * {@code error overloaded} and the node lives on and keeps everything it answered {@code sent};
 * without the budget the same flood runs the JVM out of memory, and the node exits instead of
 * living on half dead.
 */
class StoreMemoryFloodProcessIT {
  static final int SENDERS = 20;
  static final int RECIPIENTS = 200;
  /** Sends one sender has written and not yet seen answered. */
  static final int WINDOW = 4;
  /** A JSON string of exactly 60,000 bytes. */
  static final String BODY = "\"" + "x".repeat(59_998) + "\"";

  /** Closes what each test started, last first, and the clients' Vert.x after them. */
  @RegisterExtension
  static final Nodes<CourierNode> nodes = InProcessNodes.named("store-flood");

  private Vertx vertx;

  @BeforeEach
  void clients() {
    vertx = nodes.client();
  }

  /** Frame size raised above the messages, every rate limit off. */
  static Map<String, String> floodSettings(String heapFraction) {
    Map<String, String> env = new HashMap<>();
    env.put("COURIER_MAX_FRAME_BYTES", "131072");
    env.put("COURIER_CONN_FRAMES_PER_S", "0");
    env.put("COURIER_CONN_BYTES_PER_S", "0");
    env.put("COURIER_USER_SENDS_PER_S", "0");
    env.put("COURIER_RATE_STRIKES", "0");
    env.put("COURIER_STORE_MAX_HEAP_FRACTION", heapFraction);
    return env;
  }

  /** What the senders saw: the sends answered sent (id -> recipient) and every error frame. */
  record Flood(Map<String, String> sent, List<JsonObject> errors) {}

  /**
   * Every sender keeps {@link #WINDOW} sends in flight until its first error, then collects the
   * answers still due. A connection that closes (the node died) ends its sender.
   */
  private Flood flood(ProcessCluster cluster, NodeProcess node, String run, Duration limit) throws Exception {
    Map<String, String> sent = new ConcurrentHashMap<>();
    List<JsonObject> errors = new CopyOnWriteArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(SENDERS);
    try {
      long deadline = System.nanoTime() + limit.toNanos();
      List<Future<?>> senders = new ArrayList<>();
      for (int s = 0; s < SENDERS; s++) {
        int sender = s;
        senders.add(pool.submit(() -> {
          WsProbe p = WsProbe.connect(vertx, node.port(), token(cluster, "sender-" + sender + "-" + run));
          try {
            p.next("welcome");
            Map<String, String> open = new HashMap<>();
            boolean refused = false;
            int k = 0;
            while (!refused || !open.isEmpty()) {
              while (!refused && open.size() < WINDOW && !p.isClosed()) {
                String id = "s" + sender + "-" + k;
                String to = recipient(run, (sender * 11 + k) % RECIPIENTS);
                p.sendText("{\"type\":\"send\",\"id\":\"" + id + "\",\"to\":\"" + to + "\",\"body\":" + BODY + "}");
                open.put(id, to);
                k++;
              }
              if (p.isClosed() || System.nanoTime() > deadline) {
                return null;
              }
              JsonObject f = answer(p, node);
              if (f == null) {
                return null; // the node died under the flood
              }
              if ("sent".equals(f.getString("type"))) {
                sent.put(f.getString("id"), open.remove(f.getString("id")));
              } else {
                open.remove(f.getString("ref"));
                errors.add(f);
                refused = true;
              }
            }
            return null;
          } catch (AssertionError | RuntimeException gone) {
            if (node.isAlive() && !p.isClosed()) {
              throw gone;
            }
            return null; // the node died under the flood
          } finally {
            p.close();
          }
        }));
      }
      for (Future<?> f : senders) {
        f.get(limit.toMillis() + 30_000, TimeUnit.MILLISECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    return new Flood(sent, errors);
  }

  /** The next sent or error frame; null as soon as the connection or the node is gone. */
  private static JsonObject answer(WsProbe p, NodeProcess node) {
    long answerBy = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (true) {
      try {
        return p.next(x -> "sent".equals(x.getString("type")) || "error".equals(x.getString("type")),
            Duration.ofMillis(250));
      } catch (AssertionError none) {
        if (p.isClosed() || !node.isAlive()) {
          return null;
        }
        if (System.nanoTime() > answerBy) {
          throw none;
        }
      }
    }
  }

  static String recipient(String run, int i) {
    return "rcpt-" + i + "-" + run;
  }

  static String token(ProcessCluster cluster, String user) {
    return TokenIssuer.issue(cluster.secret(), user, Duration.ofMinutes(10), List.of());
  }

  @Test
  @Timeout(value = 150, unit = TimeUnit.SECONDS)
  void aFloodIsRefusedAsOverloadedAndTheNodeKeepsEverythingItAccepted() throws Exception {
    ProcessCluster cluster = nodes.add(new ProcessCluster("store-flood", floodSettings("0.6")));
    NodeProcess node = cluster.start("node-1", "connection,delivery,presence", Map.of(), List.of("-Xmx384m"));
    cluster.awaitFormed(Duration.ofSeconds(60));
    String run = UUID.randomUUID().toString().substring(0, 8);

    long started = System.nanoTime();
    Flood flood = flood(cluster, node, run, Duration.ofSeconds(60));
    long floodMs = (System.nanoTime() - started) / 1_000_000;

    assertThat(node.isAlive()).as("node alive after the flood\n%s", node.diagnostics()).isTrue();
    assertThat(flood.errors()).as("every sender was refused").hasSizeGreaterThanOrEqualTo(SENDERS);
    assertThat(flood.errors()).as("refusals").allSatisfy(e -> assertThat(e.getString("code")).isEqualTo("overloaded"));
    assertThat(flood.sent()).as("the budget let the store fill first").hasSizeGreaterThan(1000);
    HttpClient http = vertx.createHttpClient();
    assertThat(Http.call(http, HttpMethod.GET, node.port(), "/health/live", null, null).status()).isEqualTo(200);

    // Every message answered sent comes back in its recipient's sync (none was dropped: no truncated).
    Map<String, Set<String>> expected = new HashMap<>();
    flood.sent().forEach((id, to) -> expected.computeIfAbsent(to, t -> new HashSet<>()).add(id));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> checks = new ArrayList<>();
      for (Map.Entry<String, Set<String>> e : expected.entrySet()) {
        checks.add(pool.submit(() -> {
          try (WsProbe p = WsProbe.connect(vertx, node.port(), token(cluster, e.getKey()))) {
            p.next("welcome");
            p.send(new JsonObject().put("type", "sync").put("after", 0));
            Set<String> got = new HashSet<>();
            while (true) {
              JsonObject f = p.next(x -> "msg".equals(x.getString("type")) || "synced".equals(x.getString("type")),
                  Duration.ofSeconds(20));
              if ("synced".equals(f.getString("type"))) {
                if (!f.getBoolean("truncated", false)) {
                  assertThat(got).as("sync of %s", e.getKey()).containsAll(e.getValue());
                }
                return got.size();
              }
              got.add(f.getString("id"));
            }
          }
        }));
      }
      int replayed = 0;
      for (Future<Integer> c : checks) {
        replayed += c.get(60, TimeUnit.SECONDS);
      }
      assertThat(replayed).isGreaterThanOrEqualTo(flood.sent().size());
    } finally {
      pool.shutdownNow();
    }
    assertThat(node.isAlive()).isTrue();
    assertThat(Http.call(http, HttpMethod.GET, node.port(), "/health/live", null, null).status()).isEqualTo(200);
    assertThat(Files.readString(node.stdout())).doesNotContain("OutOfMemoryError");
    assertThat(node.stderrText()).doesNotContain("OutOfMemoryError");
    assertThat(node.logLines()).as("refusals are answers, not errors in the log")
        .noneMatch(j -> "ERROR".equals(j.getString("level")));
    System.out.printf("store flood: sent=%d refused=%d floodMs=%d recipients=%d%n", flood.sent().size(),
        flood.errors().size(), floodMs, expected.size());
  }

  /** The same flood without the budget: the JVM runs out of memory and the node exits (status 3). */
  @Test
  @Timeout(value = 150, unit = TimeUnit.SECONDS)
  void withoutTheBudgetTheFloodRunsTheNodeOutOfMemoryAndItExits() throws Exception {
    ProcessCluster cluster = nodes.add(new ProcessCluster("store-flood-oom", floodSettings("0")));
    NodeProcess node = cluster.start("node-1", "connection,delivery,presence", Map.of(), List.of("-Xmx128m"));
    cluster.awaitFormed(Duration.ofSeconds(60));
    String run = UUID.randomUUID().toString().substring(0, 8);

    flood(cluster, node, run, Duration.ofSeconds(60));
    int exit = node.awaitExit(Duration.ofSeconds(30));
    assertThat(exit).as(node.diagnostics()).isEqualTo(3);
    String out = Files.readString(node.stdout()) + node.stderrText();
    assertThat(out).contains("Terminating due to java.lang.OutOfMemoryError");
  }

  /** With the budget used up, direct and room sends are answered overloaded; reads and joins go on. */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void pastTheBudgetDirectAndRoomSendsAreOverloadedWhileTheRestGoesOn() {
    ProcessCluster cluster = nodes.add(new ProcessCluster("store-budget-full", floodSettings("1e-9")));
    NodeProcess node = cluster.start("node-1", "connection,delivery,presence");
    cluster.awaitFormed(Duration.ofSeconds(60));
    String run = UUID.randomUUID().toString().substring(0, 8);
    String room = "room-" + run;
    WsProbe alice = nodes.add(WsProbe.connect(vertx, node.port(),
        TokenIssuer.issue(cluster.secret(), "alice-" + run, Duration.ofMinutes(10), List.of(room))));
    WsProbe bob = nodes.add(WsProbe.connect(vertx, node.port(),
        TokenIssuer.issue(cluster.secret(), "bob-" + run, Duration.ofMinutes(10), List.of(room))));
    alice.next("welcome");
    bob.next("welcome");

    alice.send(new JsonObject().put("type", "send").put("id", "d1").put("to", "bob-" + run).put("body", 1));
    JsonObject direct = alice.next(f -> "d1".equals(f.getString("ref")) || "d1".equals(f.getString("id")), WsProbe.WAIT);
    assertThat(direct.getString("type")).as("%s", direct).isEqualTo("error");
    assertThat(direct.getString("code")).isEqualTo("overloaded");

    RoomsContract.joined(alice, room);
    RoomsContract.joined(bob, room);
    alice.send(RoomsContract.roomSend("r1", room, new JsonObject().put("t", "hi")));
    JsonObject inRoom = alice.next(f -> "r1".equals(f.getString("ref")) || "r1".equals(f.getString("id")), WsProbe.WAIT);
    assertThat(inRoom.getString("type")).as("%s", inRoom).isEqualTo("error");
    assertThat(inRoom.getString("code")).isEqualTo("overloaded");

    bob.send(new JsonObject().put("type", "sync").put("after", 0).put("ref", "s1"));
    JsonObject synced = bob.next("synced");
    assertThat(synced.getLong("upTo")).isZero();
    HttpClient http = vertx.createHttpClient();
    assertThat(Http.call(http, HttpMethod.GET, node.port(), "/health/ready", null, null).status()).isEqualTo(200);
    assertThat(node.findLog("store overloaded", j -> "append".equals(j.getString("op"))))
        .isPresent();
    Scrape metrics = Scrape.await(vertx, node.port(), Duration.ofSeconds(10),
        m -> m.value("courier_store_errors_total", "op=\"append\"", "reason=\"overloaded\"") >= 1);
    assertThat(metrics.value("courier_store_memory_budget_bytes")).isEqualTo(1);
    assertThat(metrics.value("courier_store_memory_used_bytes")).isPositive();
  }

  /** Messages dropped by the byte cap are reported by sync exactly as the count cap's are. */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void theByteCapIsReportedBySyncAsTruncated() {
    ProcessCluster cluster = nodes.add(new ProcessCluster("store-byte-cap", Map.of("COURIER_RETENTION_MAX_BYTES", "100")));
    NodeProcess node = cluster.start("node-1", "connection,delivery,presence");
    cluster.awaitFormed(Duration.ofSeconds(60));
    String run = UUID.randomUUID().toString().substring(0, 8);
    String bob = "bob-" + run;
    WsProbe alice = nodes.add(WsProbe.connect(vertx, node.port(), token(cluster, "alice-" + run)));
    alice.next("welcome");
    for (int i = 1; i <= 5; i++) {
      // 30 bytes each: a JSON string of 28 characters and its quotes
      alice.send(new JsonObject().put("type", "send").put("id", "m" + i).put("to", bob).put("body", "x".repeat(28)));
      String id = "m" + i;
      assertThat(alice.next(f -> id.equals(f.getString("id")) || id.equals(f.getString("ref")), WsProbe.WAIT)
          .getString("type")).isEqualTo("sent");
    }
    WsProbe b = nodes.add(WsProbe.connect(vertx, node.port(), token(cluster, bob)));
    b.next("welcome");
    b.send(new JsonObject().put("type", "sync").put("after", 1));
    List<String> ids = new ArrayList<>();
    JsonObject synced;
    while (true) {
      JsonObject f = b.next(x -> "msg".equals(x.getString("type")) || "synced".equals(x.getString("type")), WsProbe.WAIT);
      if ("synced".equals(f.getString("type"))) {
        synced = f;
        break;
      }
      ids.add(f.getString("id"));
    }
    assertThat(ids).containsExactly("m3", "m4", "m5");
    assertThat(synced.getBoolean("truncated", false)).as("%s", synced).isTrue();
    assertThat(synced.getLong("firstAvailable")).isEqualTo(3);
    assertThat(synced.getLong("upTo")).isEqualTo(5);
  }

  /** Wherever a Courier JVM is launched, it exits on OutOfMemoryError. */
  @Test
  void everyLauncherExitsOnOutOfMemory() throws Exception {
    Path root = Path.of("..").toAbsolutePath().normalize();
    String flag = "-XX:+ExitOnOutOfMemoryError";
    for (String file : List.of("bin/courier", "compose/local-cluster.sh", "compose/courier.sh")) {
      List<String> javaLines = Files.readAllLines(root.resolve(file)).stream()
          .filter(l -> l.matches("\\s*(exec |nohup )?java .*")).toList();
      assertThat(javaLines).as(file).isNotEmpty().allSatisfy(l -> assertThat(l).contains(flag));
    }
    assertThat(Files.readAllLines(root.resolve("compose/Dockerfile")).stream().filter(l -> l.startsWith("ENTRYPOINT")))
        .singleElement().satisfies(l -> assertThat(l).contains("\"" + flag + "\""));
    assertThat(Files.readAllLines(root.resolve("deploy/k8s/deployment.yaml")).stream()
        .filter(l -> l.trim().startsWith("command: [\"java\"")))
        .singleElement().satisfies(l -> assertThat(l).contains("\"" + flag + "\""));
    assertThat(NodeProcess.JVM_FLAGS).contains(flag);
  }
}
