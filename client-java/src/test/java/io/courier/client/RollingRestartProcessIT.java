package io.courier.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.protocol.InboxMessage;
import io.courier.testing.Ports;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The rolling restart a user runs: {@code bin/courier cluster up}, then {@code cluster restart}
 * while clients talk through HAProxy, then {@code cluster down}. Real processes throughout: three
 * node JVMs from the packaged jar, redis-server (AOF, fsync always), HAProxy with
 * compose/haproxy.cfg, and {@link CourierClient}s connected to HAProxy's front port only.
 *
 * <p>Every message a client sent during the restarts must arrive exactly once (after the client's
 * seq dedupe); the reconnects per second are measured and printed (docs/failure-modes.md).
 *
 * <p>It lives in client-java, not node: it needs the client, and client-java already depends on
 * node (test scope), so node cannot depend on client-java. It runs in the integration-test phase,
 * after node has packaged courier.jar in the same reactor build.
 */
class RollingRestartProcessIT {
  private static final int USERS = 12;
  private static final long SEND_EVERY_MS = 150;
  private static final Duration UP_LIMIT = Duration.ofSeconds(100);
  private static final Duration RESTART_LIMIT = Duration.ofSeconds(150);

  private final Path root = Path.of(System.getProperty("courier.root", "..")).toAbsolutePath().normalize();
  private final Path jar = Path.of(System.getProperty("courier.jar", "../node/target/courier.jar")).toAbsolutePath();
  private final String secret = "rolling-" + UUID.randomUUID();
  /** redis (default) or hazelcast: -Dcourier.rolling.store=hazelcast runs the same scenario in memory. */
  private final String store = System.getProperty("courier.rolling.store", "redis");

  @Test
  void threeNodesRestartOneAtATimeWhileClientsTalkThroughHaproxy() throws Exception {
    for (String tool : List.of("haproxy", "redis-server", "curl")) {
      assertThat(onPath(tool)).as("%s must be installed (.ci/run installs it)", tool).isTrue();
    }
    assertThat(jar).as("the node jar (package the node module first)").exists();

    Path dir = Files.createTempDirectory("courier-rolling-");
    int front = Ports.free();
    int stats = Ports.free();
    List<String> args = List.of(
        "--dir", dir.toString(), "--store", store, "--redis-port", String.valueOf(Ports.free()),
        "--front-port", String.valueOf(front), "--stats-port", String.valueOf(stats),
        "--admin-port", String.valueOf(Ports.free()),
        "--node-ports", Ports.free() + "," + Ports.free() + "," + Ports.free(),
        "--cluster-ports", Ports.free() + "," + Ports.free() + "," + Ports.free(),
        "--cluster-name", Ports.uniqueName("rolling"));

    Vertx vertx = Vertx.vertx();
    List<TestUser> users = new ArrayList<>();
    try {
      cluster(dir, "up", args, UP_LIMIT);
      assertThat(haproxyUp(stats)).as("HAProxy sees every node UP").containsOnly("UP").hasSize(3);

      // Clients: user i sends to user i+1, through HAProxy only.
      List<Long> connectedAt = new CopyOnWriteArrayList<>();
      String run = UUID.randomUUID().toString().substring(0, 6);
      for (int i = 0; i < USERS; i++) {
        TestUser u = new TestUser(vertx, "u" + i + "-" + run, secret, List.of(),
            new CourierClientOptions().setHost("127.0.0.1").setPort(front));
        u.client.stateHandler(s -> {
          u.states.add(s);
          if (s.state() == ConnectionState.CONNECTED) {
            connectedAt.add(System.nanoTime());
          }
        });
        users.add(u);
      }
      Future.all(users.stream().map(u -> u.client.connect()).toList())
          .timeout(30, TimeUnit.SECONDS).await();
      Map<String, Long> perNode = users.stream()
          .collect(Collectors.groupingBy(u -> u.client.session().nodeId(), Collectors.counting()));
      System.out.println("rolling restart: clients per node before = " + perNode);

      Map<String, List<String>> sentTo = new ConcurrentHashMap<>();
      List<Future<SendReceipt>> receipts = Collections.synchronizedList(new ArrayList<>());
      List<Long> timers = new ArrayList<>();
      for (int i = 0; i < USERS; i++) {
        TestUser from = users.get(i);
        String to = users.get((i + 1) % USERS).id;
        sentTo.put(to, Collections.synchronizedList(new ArrayList<>()));
        int[] n = {0};
        timers.add(vertx.setPeriodic(SEND_EVERY_MS, t -> {
          String id = from.id + "-" + (n[0]++);
          sentTo.get(to).add(id);
          receipts.add(from.client.send(to, TestUser.body(n[0]), id));
        }));
      }
      Await.until("traffic flows before the restart", Duration.ofSeconds(20),
          () -> users.stream().allMatch(u -> u.messages.size() >= 3));
      int connectsBefore = connectedAt.size();

      long t0 = System.nanoTime();
      cluster(dir, "restart", List.of("--dir", dir.toString()), RESTART_LIMIT);
      long restartMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertThat(haproxyUp(stats)).as("HAProxy sees every node UP after the restart").containsOnly("UP").hasSize(3);

      // Stop sending once everyone is back, then let every send and delivery settle.
      Await.until("every client connected after the restart", Duration.ofSeconds(20),
          () -> users.stream().allMatch(u -> u.client.state() == ConnectionState.CONNECTED));
      timers.forEach(vertx::cancelTimer);
      List<Future<SendReceipt>> all;
      synchronized (receipts) {
        all = List.copyOf(receipts);
      }
      Future.join(all).timeout(60, TimeUnit.SECONDS).otherwiseEmpty().await();
      List<Throwable> failed = all.stream().filter(Future::failed).map(Future::cause).toList();
      assertThat(failed).as("sends that failed").isEmpty();
      assertThat(all).as("every send answered").allMatch(Future::succeeded);

      for (TestUser u : users) {
        int expected = sentTo.get(u.id).size();
        Await.until(u.id + " received all " + expected + " messages", Duration.ofSeconds(30),
            () -> u.messages.size() >= expected);
      }
      int total = 0;
      for (TestUser u : users) {
        List<String> ids = u.messages.stream().map(InboxMessage::id).toList();
        Map<String, Long> counts = ids.stream().collect(Collectors.groupingBy(id -> id, Collectors.counting()));
        assertThat(counts.entrySet().stream().filter(e -> e.getValue() > 1).toList())
            .as("duplicates delivered to %s", u.id).isEmpty();
        List<String> expected;
        synchronized (sentTo.get(u.id)) {
          expected = List.copyOf(sentTo.get(u.id));
        }
        assertThat(ids).as("messages delivered to %s", u.id).containsExactlyInAnyOrderElementsOf(expected);
        total += ids.size();
      }

      List<Long> reconnects = connectedAt.subList(connectsBefore, connectedAt.size());
      int maxPerSecond = maxInOneSecond(reconnects);
      System.out.printf("rolling restart (" + store + "): %d clients, %d messages, restart took %d ms, %d reconnects, "
              + "max %d reconnects in any 1 s window%n", USERS, total, restartMs, reconnects.size(), maxPerSecond);
      // Every client's node was restarted, so every client reconnected; nobody should loop.
      assertThat(reconnects.size()).as("reconnects").isBetween(USERS, USERS * 6);
      assertThat(maxPerSecond).as("reconnects in the busiest second").isLessThanOrEqualTo(USERS);
    } finally {
      users.forEach(u -> u.client.close().otherwiseEmpty().await());
      vertx.close().await();
      try {
        cluster(dir, "down", List.of("--dir", dir.toString()), Duration.ofSeconds(120));
      } finally {
        killLeftovers(dir);
      }
    }
  }

  /** Runs compose/local-cluster.sh with the given command; its output goes to DIR/cluster-CMD.out. */
  private void cluster(Path dir, String command, List<String> args, Duration limit) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("bash", root.resolve("compose/local-cluster.sh").toString(), command));
    cmd.addAll(args);
    Path out = dir.resolve("cluster-" + command + ".out");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("COURIER_"));
    env.put("COURIER_JAR", jar.toString());
    env.put("COURIER_JWT_SECRET", secret);
    env.put("COURIER_GATEWAY_INSTANCES", "1");
    env.put("COURIER_DRAIN_GRACE_MS", "2000");
    env.put("COURIER_WARMUP_MS", "0"); // as every test node: no warm-up at start
    env.put("JAVA_OPTS", "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1");
    Process p = pb.start();
    try {
      boolean done = p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(done).as("cluster %s finished within %s; output: %s", command, limit, read(out)).isTrue();
      assertThat(p.exitValue()).as("exit code of cluster %s; output: %s", command, read(out)).isZero();
    } finally {
      p.destroy();
    }
  }

  /** Status of node1..node3 in HAProxy's backend, from the stats page's CSV. */
  private static List<String> haproxyUp(int statsPort) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    String csv = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + statsPort + "/stats;csv"))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
    return csv.lines().map(l -> l.split(",", -1))
        .filter(f -> f.length > 17 && f[0].equals("nodes") && f[1].startsWith("node"))
        .map(f -> f[17]).toList();
  }

  /** The largest number of timestamps (ns) that fall within any one-second window. */
  static int maxInOneSecond(List<Long> times) {
    List<Long> sorted = new ArrayList<>(times);
    Collections.sort(sorted);
    int best = 0;
    int start = 0;
    for (int end = 0; end < sorted.size(); end++) {
      while (sorted.get(end) - sorted.get(start) >= TimeUnit.SECONDS.toNanos(1)) {
        start++;
      }
      best = Math.max(best, end - start + 1);
    }
    return best;
  }

  private static void killLeftovers(Path dir) throws IOException {
    try (var files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".pid")).toList()) {
        long pid = Long.parseLong(Files.readString(f).trim());
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
  }

  private static boolean onPath(String tool) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      if (Files.isExecutable(Path.of(d, tool))) {
        return true;
      }
    }
    return false;
  }

  private static String read(Path p) {
    try {
      return Files.exists(p) ? Files.readString(p) : "(none)";
    } catch (IOException e) {
      return e.toString();
    }
  }
}
