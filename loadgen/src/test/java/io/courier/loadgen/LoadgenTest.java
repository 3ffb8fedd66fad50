package io.courier.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.node.CourierNode;
import io.courier.protocol.ConfigKeys;
import io.courier.testing.Nodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The load generator against one real node in this JVM (and the raw forwarder), at small numbers:
 * every scenario must report what really happened, delivery first.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LoadgenTest {
  @RegisterExtension
  static final Nodes<CourierNode> nodes = Nodes.of("loadgen",
      new Nodes.Launcher<>(CourierNode::start, CourierNode::port, CourierNode::close));

  private CourierNode node;
  @TempDir
  Path dir;

  @BeforeAll
  void startNode() {
    node = nodes.start(nodes.config().with(ConfigKeys.GATEWAY_INSTANCES, 2));
  }

  /** Runs `courier bench` in this JVM; returns the exit status, stdout and the result file. */
  private record Outcome(int status, String stdout, String stderr, JsonObject result) {}

  private Outcome bench(String... args) throws Exception {
    Path out = dir.resolve(UUID.randomUUID() + ".json");
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--secret", nodes.secret(), "--out", out.toString()));
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    int status = Main.run(all.toArray(String[]::new), new PrintStream(o, true, StandardCharsets.UTF_8),
        new PrintStream(e, true, StandardCharsets.UTF_8));
    return new Outcome(status, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8),
        new JsonObject(Files.readString(out)));
  }

  private String port() {
    return String.valueOf(node.port());
  }

  @Test
  void chatDeliversEverythingOnceAndMeasuresLatency() throws Exception {
    Outcome r = bench("chat", "--port", port(), "--connections", "50", "--rate", "200", "--duration", "3s",
        "--drain", "10s", "--label", "test");
    JsonObject m = r.result().getJsonObject("messages");
    assertThat(r.status()).as(r.stderr()).isZero();
    assertThat(m.getLong("sent")).isBetween(550L, 610L);
    assertThat(m.getLong("confirmed")).isEqualTo(m.getLong("sent"));
    assertThat(m.getLong("received")).isEqualTo(m.getLong("confirmed"));
    assertThat(m.getLong("lost")).isZero();
    assertThat(m.getLong("duplicated")).isZero();
    assertThat(m.getLong("recipientsMissingMessages")).isZero();
    JsonObject l = r.result().getJsonObject("latencyMs");
    assertThat(l.getLong("count")).isEqualTo(m.getLong("received"));
    assertThat(l.getDouble("p50")).isGreaterThan(0.0).isLessThanOrEqualTo(l.getDouble("p99"));
    assertThat(l.getDouble("p99")).isLessThanOrEqualTo(l.getDouble("p999"));
    assertThat(l.getDouble("p999")).isLessThanOrEqualTo(l.getDouble("max"));
    assertThat(l.getDouble("max")).isLessThan(5_000.0);
    assertThat(r.result().getJsonObject("connections").getInteger("opened")).isEqualTo(50);
    // Live progress on stderr, the Markdown header and row on stdout.
    assertThat(r.stderr()).contains("[chat chat");
    assertThat(r.stdout()).startsWith("| scenario | label |").contains("| chat | test | 50 | 200 |");
  }

  /**
   * The warm-up offers the same load first; its messages are checked too (each delivered once) but
   * reported apart: the window's counts and latencies are the window's sends only.
   */
  @Test
  void warmupRunsTheSameLoadFirstAndIsLeftOutOfTheMeasuredWindow() throws Exception {
    Outcome r = bench("chat", "--port", port(), "--connections", "20", "--rate", "100", "--warmup", "2s",
        "--duration", "2s", "--drain", "10s", "--label", "warm");
    assertThat(r.status()).as(r.stderr() + r.result().encodePrettily()).isZero();
    JsonObject w = r.result().getJsonObject("warmup");
    assertThat(w.getLong("sent")).isPositive().isLessThanOrEqualTo(200L);
    assertThat(w.getLong("confirmed")).isEqualTo(w.getLong("sent"));
    assertThat(w.getLong("received")).isEqualTo(w.getLong("confirmed"));
    assertThat(w.getLong("lost")).isZero();
    assertThat(w.getLong("duplicated")).isZero();
    assertThat(w.getLong("unconfirmed")).isZero();
    assertThat(w.getBoolean("ok")).isTrue();
    JsonObject m = r.result().getJsonObject("messages");
    // 2 s at 100/s: at most 200 of the window's own, whatever the warm-up sent before.
    assertThat(m.getLong("sent")).isPositive().isLessThanOrEqualTo(200L);
    assertThat(m.getLong("confirmed")).isEqualTo(m.getLong("sent"));
    assertThat(m.getLong("received")).isEqualTo(m.getLong("confirmed"));
    assertThat(m.getLong("lost")).isZero();
    assertThat(m.getLong("duplicated")).isZero();
    assertThat(r.result().getJsonObject("latencyMs").getLong("count")).isEqualTo(m.getLong("received"));
    assertThat(r.result().getBoolean("ok")).isTrue();
    assertThat(r.stderr()).contains("[chat warmup").contains("[chat chat");
    assertThat(r.stdout()).contains("| chat | warm | 20 | 100 |").contains("warm-up (" + w.getLong("sent") + " sent, 0 lost, 0 dup)");
  }

  @Test
  void warmupIsChatAndSoakOnlyAndBounded() {
    assertThat(Options.parse(new String[] {"chat", "--duration", "1s"}).warmup).isZero();
    assertThat(Options.parse(new String[] {"soak", "--duration", "1s", "--warmup", "72h"}).warmup.toHours()).isEqualTo(72);
    assertThatThrownBy(() -> Options.parse(new String[] {"chat", "--duration", "1s", "--warmup", "73h"}))
        .hasMessageContaining("--warmup must be between 0 and 72h");
    assertThatThrownBy(() -> Options.parse(new String[] {"chat", "--duration", "1s", "--warmup", "-1s"}))
        .hasMessageContaining("--warmup must be between 0 and 72h");
    assertThatThrownBy(() -> Options.parse(new String[] {"room", "--duration", "1s", "--warmup", "1s"}))
        .isInstanceOf(Options.UsageException.class).hasMessageContaining("--warmup applies to chat and soak");
    assertThat(Options.parse(new String[] {"room", "--duration", "1s", "--warmup", "0"}).warmup).isZero();
  }

  @Test
  void resultJsonHasTheDocumentedShape() throws Exception {
    JsonObject r = bench("chat", "--port", port(), "--connections", "4", "--rate", "20", "--duration", "1s").result();
    assertThat(r.fieldNames()).contains("scenario", "label", "startedAt", "target", "shard", "durationMs", "connections",
        "messages", "latencyMs", "histogram", "server", "ok");
    assertThat(r.getJsonObject("connections").fieldNames()).contains("requested", "opened", "failed", "connectPerSec",
        "connectMs", "reconnects", "sourceAddresses", "fdLimit");
    assertThat(r.getJsonObject("messages").fieldNames()).contains("offeredRate", "sent", "confirmed", "received", "lost",
        "duplicated", "redelivered", "rejected", "unconfirmed", "errors", "recipientsMissingMessages", "deliveredPerSec");
    assertThat(r.getJsonObject("latencyMs").fieldNames()).containsExactlyInAnyOrder("count", "p50", "p95", "p99", "p999",
        "max", "mean");
    assertThat(r.getJsonObject("server").getJsonArray("samples")).isNotEmpty();
    assertThat(Report.decode(r.getString("histogram")).getTotalCount()).isEqualTo(r.getJsonObject("latencyMs").getLong("count"));
    JsonObject load = r.getJsonObject("loadgen");
    assertThat(load.getLong("messages")).isEqualTo(r.getJsonObject("messages").getLong("sent"));
    assertThat(load.getLong("cpuMs")).isPositive();
    assertThat(load.getDouble("cpuMicrosPerMessage")).isPositive();
    assertThat(r.getBoolean("ok")).isTrue();
  }

  @Test
  void idleHoldsConnectionsFromSeveralSourceAddressesAndReadsServerMemory() throws Exception {
    long pid = ProcessHandle.current().pid();
    Outcome r = bench("idle", "--port", port(), "--connections", "200", "--per-address", "100", "--duration", "1s",
        "--interval", "500ms", "--server-pid", String.valueOf(pid));
    JsonObject c = r.result().getJsonObject("connections");
    assertThat(r.status()).as(r.stderr()).isZero();
    assertThat(c.getInteger("opened")).isEqualTo(200);
    assertThat(c.getInteger("failed")).isZero();
    assertThat(c.getJsonArray("sourceAddresses")).containsExactly("127.0.0.2", "127.0.0.3");
    assertThat(c.getDouble("connectPerSec")).isGreaterThan(0.0);
    JsonObject s = r.result().getJsonObject("server");
    assertThat(s.getLong("rssBytesBefore")).isPositive();
    assertThat(s.containsKey("rssPerConnectionBytes")).isTrue();
    assertThat(s.getJsonArray("samples").getJsonObject(s.getJsonArray("samples").size() - 1).getInteger("connections"))
        .isEqualTo(200);
  }

  @Test
  void reconnectStormBringsEveryDroppedClientBackSyncedWithNothingLost() throws Exception {
    Outcome r = bench("reconnect-storm", "--port", port(), "--connections", "100", "--drop", "60", "--rate", "100",
        "--duration", "2s");
    JsonObject rc = r.result().getJsonObject("reconnect");
    JsonObject m = r.result().getJsonObject("messages");
    assertThat(r.status()).as(r.stderr() + r.result().encodePrettily()).isZero();
    assertThat(rc.getInteger("dropped")).isEqualTo(60);
    assertThat(rc.getInteger("back")).isEqualTo(60);
    assertThat(rc.getLong("allBackAndSyncedMs")).isNotNull().isLessThan(15_000L);
    // Background traffic plus one message to each dropped user while it was away: all delivered once.
    assertThat(m.getLong("sent")).isGreaterThanOrEqualTo(150L);
    assertThat(m.getLong("lost")).isZero();
    assertThat(m.getLong("duplicated")).isZero();
    assertThat(r.result().getJsonObject("connections").getLong("reconnects")).isGreaterThanOrEqualTo(60L);
  }

  @Test
  void slowConsumersRunBesideTheChatAndTheServersCountsAreReported() throws Exception {
    long pid = ProcessHandle.current().pid();
    Outcome r = bench("slow-consumers", "--port", port(), "--connections", "10", "--rate", "50", "--slow", "20",
        "--slow-rate", "100", "--duration", "2s", "--interval", "500ms", "--server-pid", String.valueOf(pid),
        "--metrics-url", "http://127.0.0.1:" + port() + "/metrics");
    assertThat(r.status()).as(r.stderr()).isZero();
    JsonObject slow = r.result().getJsonObject("slow");
    assertThat(slow.getInteger("opened")).isEqualTo(20);
    assertThat(slow.getInteger("failed")).isZero();
    // Every send to a slow consumer was confirmed: stored, whatever becomes of its connection.
    assertThat(slow.getLong("confirmed")).isBetween(150L, 210L);
    assertThat(slow.getLong("cutOutbound")).isNotNull();
    assertThat(slow.getLong("peakHeapBytes")).isPositive();
    assertThat(slow.getLong("peakQueuedBytes")).isGreaterThanOrEqualTo(0);
    JsonObject m = r.result().getJsonObject("messages");
    assertThat(m.getLong("lost")).isZero();
    assertThat(m.getLong("unconfirmed")).isZero();
    assertThat(r.stdout()).contains("20 slow consumers");
  }

  @Test
  void rawForwarderBaselineRunsInTheSameInvocationWithARatio() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      int fwd = Forwarder.start(vertx, "127.0.0.1", 0).await();
      Outcome r = bench("chat", "--port", port(), "--baseline-port", String.valueOf(fwd), "--connections", "20",
          "--rate", "200", "--duration", "2s");
      JsonObject base = r.result().getJsonObject("baseline");
      assertThat(r.status()).as(r.stderr()).isZero();
      assertThat(base.getJsonObject("target").getBoolean("raw")).isTrue();
      assertThat(base.getJsonObject("target").getInteger("port")).isEqualTo(fwd);
      assertThat(base.getJsonObject("messages").getLong("received")).isGreaterThanOrEqualTo(350L);
      assertThat(base.getJsonObject("messages").getLong("lost")).isZero();
      assertThat(r.result().getDouble("ratioToRaw")).isGreaterThan(0.5);
      assertThat(r.stdout().lines().filter(l -> l.startsWith("| chat |")).count()).isEqualTo(2);
      assertThat(r.stdout()).contains("raw forwarder");

      Outcome raw = bench("chat", "--raw", "--port", String.valueOf(fwd), "--connections", "10", "--rate", "100",
          "--duration", "1s");
      assertThat(raw.status()).isZero();
      assertThat(raw.result().getJsonObject("messages").getLong("received")).isGreaterThanOrEqualTo(80L);
    } finally {
      vertx.close().await();
    }
  }

  @Test
  void roomDeliversEverySendToEveryMemberOnce() throws Exception {
    Outcome r = bench("room", "--port", port(), "--room-members", "30", "--rate", "20", "--duration", "2s");
    assertThat(r.status()).as(r.stderr()).isZero();
    JsonObject m = r.result().getJsonObject("messages");
    long confirmed = m.getLong("confirmed");
    assertThat(confirmed).isGreaterThanOrEqualTo(30L);
    assertThat(m.getLong("lost")).isZero();
    assertThat(m.getLong("duplicated")).isZero();
    assertThat(m.getLong("unconfirmed")).isZero();
    assertThat(m.getLong("received")).as("every member, the sender included, gets every message").isEqualTo(confirmed * 30);
    assertThat(r.result().getJsonObject("room").getInteger("members")).isEqualTo(30);
    assertThat(r.result().getJsonObject("latencyMs").getLong("count")).isEqualTo(confirmed * 30);
    assertThat(r.stdout()).contains("room of 30");
  }

  @Test
  void roomRunsInOneProcess() {
    assertThatThrownBy(() -> Options.parse(new String[] {"room", "--duration", "1s", "--processes", "2"}))
        .isInstanceOf(Options.UsageException.class).hasMessageContaining("one process");
    assertThat(Options.parse(new String[] {"room", "--duration", "1s", "--room-members", "7"}).connections).isEqualTo(7);
  }

  @Test
  void refusesTargetsOutsideLoopback() {
    for (String host : List.of("10.1.2.3", "192.168.0.1", "8.8.8.8", "example.com", "::2")) {
      assertThatThrownBy(() -> Options.parse(new String[] {"chat", "--host", host, "--duration", "1s"}))
          .as(host).isInstanceOf(Options.UsageException.class).hasMessageContaining("only targets loopback");
    }
    assertThatThrownBy(() -> Options.parse(new String[] {"idle", "--metrics-url", "http://10.0.0.1:9090/metrics", "--duration", "1s"}))
        .isInstanceOf(Options.UsageException.class).hasMessageContaining("only targets loopback");
    for (String host : List.of("127.0.0.1", "127.3.4.5", "localhost", "::1", "[::1]")) {
      assertThat(Options.parse(new String[] {"chat", "--host", host, "--duration", "1s"}).host).isEqualTo(host);
    }
  }

  @Test
  void boundsAndLimitsAreCheckedAtTheirEdges() {
    assertThatThrownBy(() -> Options.parse(new String[] {"chat"})).hasMessageContaining("--duration is required");
    assertThat(Options.parse(new String[] {"chat", "--duration", "72h"}).duration.toHours()).isEqualTo(72);
    assertThatThrownBy(() -> Options.parse(new String[] {"chat", "--duration", "73h"})).hasMessageContaining("at most 72h");
    assertThatThrownBy(() -> Options.parse(new String[] {"chat", "--duration", "1s", "--connections", "1"}))
        .hasMessageContaining("at least 2");
    assertThatThrownBy(() -> Options.parse(new String[] {"reconnect-storm", "--duration", "1s", "--connections", "5", "--drop", "6"}))
        .hasMessageContaining("more than --connections");
    assertThatThrownBy(() -> Options.parse(new String[] {"nope"})).hasMessageContaining("unknown scenario");
    assertThatThrownBy(() -> Options.parse(new String[] {"chat", "--duration", "1s", "--bogus", "1"})).hasMessageContaining("unknown option");
    assertThatThrownBy(() -> Options.parse(new String[] {"idle", "--duration", "1s", "--processes", "2", "--shard", "0/2"}))
        .hasMessageContaining("not both");
    // The OS cap: 19,800 fit under 20,000 files; 19,801 do not, and the message says what to do.
    assertThat(FdLimit.check(19_800, 20_000, 1)).isNull();
    assertThat(FdLimit.check(19_801, 20_000, 1)).contains("--processes 2").contains("--shard 0/2");
    assertThat(FdLimit.check(50_000, 20_000, 1)).contains("--processes 3");
    Options sharded = Options.parse(new String[] {"chat", "--duration", "1s", "--connections", "10", "--rate", "100", "--shard", "2/3"});
    assertThat(sharded.localConnections()).isEqualTo(3);
    assertThat(sharded.localRate()).isEqualTo(100.0 / 3);
  }

  @Test
  void sourceAddressesWalkThroughLoopback() {
    assertThat(Fleet.sourceAddress(1)).isEqualTo("127.0.0.2");
    assertThat(Fleet.sourceAddress(253)).isEqualTo("127.0.0.254");
    assertThat(Fleet.sourceAddress(254)).isEqualTo("127.0.1.1");
  }

  @Test
  void shardResultsMergeIntoOne() {
    org.HdrHistogram.Histogram a = new org.HdrHistogram.Histogram(Delivery.MAX_LATENCY_NANOS, 3);
    a.recordValue(1_000_000);
    org.HdrHistogram.Histogram b = new org.HdrHistogram.Histogram(Delivery.MAX_LATENCY_NANOS, 3);
    b.recordValue(9_000_000);
    JsonObject merged = Shards.merge(List.of(shard(a, 10, true), shard(b, 7, true)));
    assertThat(merged.getJsonObject("messages").getValue("received")).isEqualTo(17L);
    assertThat(merged.getJsonObject("messages").getDouble("deliveredPerSec")).isEqualTo(3.0);
    assertThat(merged.getJsonObject("connections").getJsonArray("sourceAddresses")).hasSize(2);
    assertThat(merged.getJsonObject("latencyMs").getLong("count")).isEqualTo(2);
    assertThat(merged.getJsonObject("latencyMs").getDouble("max")).isBetween(8.9, 9.1);
    assertThat(merged.getBoolean("ok")).isTrue();
    assertThat(Shards.merge(List.of(shard(a, 1, true), shard(b, 1, false))).getBoolean("ok")).isFalse();
  }

  @Test
  void shardWarmupsMergeIntoOne() {
    org.HdrHistogram.Histogram h = new org.HdrHistogram.Histogram(Delivery.MAX_LATENCY_NANOS, 3);
    JsonObject a = shard(h, 1, true).put("warmup", new JsonObject().put("durationMs", 1000).put("sent", 4).put("lost", 0)
        .put("duplicated", 0).put("ok", true));
    JsonObject b = shard(h, 1, true).put("warmup", new JsonObject().put("durationMs", 1001).put("sent", 6).put("lost", 1)
        .put("duplicated", 0).put("ok", false));
    JsonObject w = Shards.merge(List.of(a, b)).getJsonObject("warmup");
    assertThat(w.getLong("sent")).isEqualTo(10);
    assertThat(w.getLong("lost")).isEqualTo(1);
    assertThat(w.getLong("durationMs")).isEqualTo(1001);
    assertThat(w.getBoolean("ok")).isFalse();
  }

  private static JsonObject shard(org.HdrHistogram.Histogram h, int received, boolean ok) {
    return new JsonObject().put("ok", ok).put("durationMs", 1000).put("histogram", Report.encode(h))
        .put("connections", new JsonObject().put("requested", 5).put("opened", 5).put("failed", 0).put("connectPerSec", 10.0)
            .put("reconnects", 0).put("connectMs", 100).put("sourceAddresses", new io.vertx.core.json.JsonArray().add("127.0.0." + received)))
        .put("messages", new JsonObject().put("offeredRate", 1.5).put("sent", received).put("received", received)
            .put("deliveredPerSec", 1.5));
  }

  @Test
  void reachSendsEveryUserExactlyOneMessageAndCountsThemAllReached() throws Exception {
    Outcome r = bench("reach", "--port", port(), "--connections", "60", "--rate", "300", "--drain", "10s");
    JsonObject m = r.result().getJsonObject("messages");
    JsonObject reach = r.result().getJsonObject("reach");
    assertThat(r.status()).as(r.stderr() + r.result().encodePrettily()).isZero();
    assertThat(m.getLong("sent")).isEqualTo(60);
    assertThat(m.getLong("received")).isEqualTo(60);
    assertThat(m.getLong("duplicated")).isZero();
    assertThat(reach.getLong("users")).isEqualTo(60);
    assertThat(reach.getLong("reached")).isEqualTo(60);
    assertThat(r.stdout()).contains("60 of 60 users reached");
  }

  /**
   * Two shards in this JVM, as --processes would start them: the one that opens first waits at the
   * barrier for the other, so no message is sent before all users of the run are connected.
   */
  @Test
  void shardsStartSendingOnlyOnceEveryShardHoldsItsConnections() throws Exception {
    Path barrier = Files.createDirectory(dir.resolve("barrier"));
    java.util.concurrent.CompletableFuture<Outcome> first = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return bench("reach", "--port", port(), "--connections", "40", "--rate", "200", "--shard", "0/2",
            "--barrier", barrier.toString(), "--quiet");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    // The first shard arrives and waits: nothing can be sent until the second one shows up.
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    while (ShardBarrier.arrived(barrier, "open-0") < 1 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(ShardBarrier.arrived(barrier, "open-0")).isEqualTo(1);
    assertThat(first).isNotDone();
    Outcome second = bench("reach", "--port", port(), "--connections", "40", "--rate", "200", "--shard", "1/2",
        "--barrier", barrier.toString(), "--quiet");
    Outcome one = first.get(60, java.util.concurrent.TimeUnit.SECONDS);
    JsonObject merged = Shards.merge(List.of(one.result(), second.result()));
    assertThat(one.status()).as(one.stderr()).isZero();
    assertThat(second.status()).as(second.stderr()).isZero();
    assertThat(merged.getJsonObject("reach").getLong("users")).isEqualTo(40);
    assertThat(merged.getJsonObject("reach").getLong("reached")).isEqualTo(40);
    assertThat(one.result().getJsonObject("reach").getLong("barrierWaitMs")).isPositive();
    assertThat(merged.getBoolean("ok")).isTrue();
  }

  @Test
  void aBarrierNotEveryShardReachesGivesUpAtItsDeadline() throws Exception {
    Path barrier = Files.createDirectory(dir.resolve("lonely"));
    assertThat(ShardBarrier.arriveAndWait(barrier, "open-0", 0, 2, java.time.Duration.ofMillis(300))).isEqualTo(-1);
    assertThat(ShardBarrier.arriveAndWait(barrier, "open-0", 1, 2, java.time.Duration.ofMillis(300))).isGreaterThanOrEqualTo(0);
  }

  @Test
  void reachIsCheckedBeforeAnythingConnects() {
    assertThatThrownBy(() -> Options.parse(new String[] {"reach", "--connections", "3", "--processes", "2"}))
        .hasMessageContaining("at least 2 connections per process");
    assertThatThrownBy(() -> Options.parse(new String[] {"reach", "--connections", "10", "--rate", "0"}))
        .hasMessageContaining("--rate > 0");
    // One message per user at the offered rate: 1,000 users at 400 msg/s is 2.5 s.
    assertThat(Options.parse(new String[] {"reach", "--connections", "1000", "--rate", "400"}).duration)
        .isEqualTo(java.time.Duration.ofMillis(2500));
    assertThatThrownBy(() -> Options.parse(new String[] {"soak", "--duration", "1s", "--live-heap"}))
        .hasMessageContaining("--live-heap needs --server-pid");
  }

  /** The live heap is read from the server JVM after a full GC (here the test's own JVM is the server). */
  @Test
  void liveHeapSamplesFollowAFullGcOfTheServer() throws Exception {
    long pid = ProcessHandle.current().pid();
    Outcome r = bench("soak", "--port", port(), "--connections", "20", "--rate", "50", "--duration", "2s",
        "--interval", "500ms", "--server-pid", String.valueOf(pid), "--live-heap");
    assertThat(r.status()).as(r.stderr()).isZero();
    JsonObject leak = r.result().getJsonObject("leakCheck");
    long heapMax = Runtime.getRuntime().maxMemory();
    assertThat(leak.getLong("liveHeapFirstBytes")).isPositive().isLessThan(heapMax);
    assertThat(leak.getLong("liveHeapLastBytes")).isPositive().isLessThan(heapMax);
    assertThat(leak.containsKey("liveHeapGrowthSecondHalfBytes")).isTrue();
  }

  /** Real GC.heap_info outputs (JDK 17) of the three collectors a node may run. */
  @Test
  void usedHeapIsReadFromHeapInfoOfEachCollector() {
    String g1 = """
        10400:
         garbage-first heap   total 397312K, used 17962K [0x0000000687400000, 0x0000000800000000)
          region size 4096K, 4 young (16384K), 0 survivors (0K)
         Metaspace       used 8917K, committed 9088K, reserved 1114112K
          class space    used 1062K, committed 1152K, reserved 1048576K
        """;
    String serial = """
        10364:
         def new generation   total 116160K, used 18593K [0x0000000687400000, 0x000000068f200000, 0x0000000704d50000)
          eden space 103296K,  18% used [0x0000000687400000, 0x00000006886286e0, 0x000000068d8e0000)
          from space 12864K,   0% used [0x000000068d8e0000, 0x000000068d8e0000, 0x000000068e570000)
          to   space 12864K,   0% used [0x000000068e570000, 0x000000068e570000, 0x000000068f200000)
         tenured generation   total 258048K, used 140000K [0x0000000704d50000, 0x0000000714950000, 0x0000000800000000)
           the space 258048K,  54% used [0x0000000704d50000, 0x0000000704d50000, 0x0000000704d50200, 0x0000000714950000)
         Metaspace       used 8933K, committed 9088K, reserved 1114112K
          class space    used 1062K, committed 1152K, reserved 1048576K
        """;
    String parallel = """
        10441:
         PSYoungGen      total 113152K, used 17511K [0x0000000782700000, 0x000000078a500000, 0x0000000800000000)
          eden space 97280K, 18% used [0x0000000782700000,0x0000000783819d20,0x0000000788600000)
         ParOldGen       total 258048K, used 1000K [0x0000000687400000, 0x0000000697000000, 0x0000000782700000)
          object space 258048K, 0% used [0x0000000687400000,0x0000000687400000,0x0000000697000000)
         Metaspace       used 8938K, committed 9088K, reserved 1114112K
        """;
    assertThat(ServerProbe.usedFromHeapInfo(g1)).isEqualTo(17962L * 1024);
    // Both generations: the old one is where live data sits after a full GC.
    assertThat(ServerProbe.usedFromHeapInfo(serial)).isEqualTo((18593L + 140000L) * 1024);
    assertThat(ServerProbe.usedFromHeapInfo(parallel)).isEqualTo((17511L + 1000L) * 1024);
    assertThat(ServerProbe.usedFromHeapInfo("no heap here")).isEqualTo(-1);
  }

  @Test
  void heapIsReadFromPrometheusText() {
    String text = """
        # HELP jvm_memory_used_bytes The amount of used memory
        jvm_memory_used_bytes{area="heap",id="G1 Eden Space"} 1000.0
        jvm_memory_used_bytes{area="heap",id="G1 Old Gen"} 2.5E3
        jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 9999.0
        jvm_memory_used_bytes{area="heap",id="Eden Space",node="n1"} 500.0 1700000000000
        """;
    assertThat(ServerProbe.heapFromPrometheus(text)).isEqualTo(4000);
    assertThat(ServerProbe.heapFromPrometheus("nothing here")).isEqualTo(-1);
  }
}
