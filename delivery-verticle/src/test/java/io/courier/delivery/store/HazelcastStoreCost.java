package io.courier.delivery.store;

import com.sun.management.OperatingSystemMXBean;
import io.courier.cluster.Presence;
import io.courier.protocol.CourierConfig;
import io.courier.protocol.InboxMessage;
import io.courier.testing.Ports;
import io.courier.testing.TestCluster;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * The Hazelcast store's CPU per message on one member, apart from sockets and WebSockets: what the
 * message path asks of Hazelcast for each point-to-point message (the inbox append, then the
 * routing read of the recipient's nodes), called from a Vert.x event loop exactly as the node calls
 * them, and the process's CPU time (every thread: event loop, partition threads, collector, JIT)
 * divided by the calls. Run it pinned to one core ({@code taskset -c 0}) to see what a node on one
 * core pays: the JVM then sees one CPU, as the pinned node does (Serial collector, two partition
 * threads). No limit is asserted; it is a figure for docs/benchmarks.md.
 *
 * <p>Two ways of driving: {@code saturated} keeps {@code bench.inFlight} calls outstanding (the
 * cheapest per call: a woken partition thread finds several operations queued), {@code paced}
 * issues {@code bench.rate} calls a second in 1 ms ticks (the shape of a node's load: few calls per
 * wake-up). A {@code baseline} phase drives tasks queued on the event loop the same way, for the
 * driver's own cost.
 *
 * <p>Run (not part of any suite: the class name matches no test pattern):
 * <pre>
 * taskset -c 0 ./mvnw -B -q -o -pl delivery-verticle -am test -Dtest=HazelcastStoreCost -Dsurefire.failIfNoSpecifiedTests=false \
 *     [-Dbench.calls=200000 -Dbench.users=10000 -Dbench.body=64 -Dbench.inFlight=32 -Dbench.rate=10000 -Dbench.runs=3]
 * cat delivery-verticle/target/hazelcast-store-cost.txt
 * </pre>
 */
public final class HazelcastStoreCost {
  record Params(int calls, int users, int body, int inFlight, int rate, int runs) {
    static Params fromSystemProperties() {
      return new Params(Integer.getInteger("bench.calls", 200_000), Integer.getInteger("bench.users", 10_000),
          Integer.getInteger("bench.body", 64), Integer.getInteger("bench.inFlight", 32),
          Integer.getInteger("bench.rate", 10_000), Integer.getInteger("bench.runs", 3));
    }
  }

  /** One phase's figures: process CPU µs per call, collector ms in the phase, calls per second, failures. */
  record Phase(double cpuUs, double gcMs, double callsPerSecond, int errors) {}

  @Test
  void measure() throws Exception {
    String report = run(Params.fromSystemProperties());
    Files.writeString(Path.of("target", "hazelcast-store-cost.txt"), report);
    System.out.println(report);
  }

  static String run(Params p) throws Exception {
    Map<String, List<Phase>> all = new LinkedHashMap<>();
    CourierConfig cfg = TestCluster.config(Ports.uniqueName("store-cost"));
    TestCluster.Member m = TestCluster.start(cfg, "cost");
    try {
      Presence presence = m.node().presence();
      MessageStore store = new HazelcastMessageStore(m.vertx(), m.node().hazelcast(), cfg, presence);
      Context ctx = m.vertx().getOrCreateContext();
      String body = "\"" + "x".repeat(Math.max(0, p.body() - 2)) + "\"";
      // Every recipient online on this node, as in the one-node benchmark: the routing read finds one node.
      StoreCostDriver.saturated(ctx, p.users(), p.inFlight(), i -> presence.addDevice("u" + i, "s" + i, m.node().nodeId()))
          .get(2, TimeUnit.MINUTES);
      AtomicInteger ids = new AtomicInteger();
      IntFunction<InboxMessage> draft = i -> new InboxMessage(0, null, "m" + ids.incrementAndGet(), "s" + (i % 97),
          "u" + (i % p.users()), null, body, System.currentTimeMillis());
      Map<String, IntFunction<Future<?>>> ops = new LinkedHashMap<>();
      // A task queued on the context and completed there: the driver's own cost (a completed future
      // would complete inline and recurse).
      ops.put("baseline", i -> {
        io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
        ctx.runOnContext(v -> done.complete());
        return done.future();
      });
      ops.put("append", i -> store.append("u" + (i % p.users()), draft.apply(i)));
      ops.put("nodesOf", i -> presence.nodesOf("u" + (i % p.users())));
      ops.put("append+nodesOf", i -> {
        String user = "u" + (i % p.users());
        return store.append(user, draft.apply(i)).compose(r -> presence.nodesOf(user));
      });
      // Warm-up: the JIT compiles the paths before anything is counted.
      for (IntFunction<Future<?>> op : ops.values()) {
        StoreCostDriver.saturated(ctx, Math.min(p.calls(), 50_000), p.inFlight(), op).get(5, TimeUnit.MINUTES);
      }
      for (int r = 0; r < p.runs(); r++) {
        for (Map.Entry<String, IntFunction<Future<?>>> op : ops.entrySet()) {
          all.computeIfAbsent(op.getKey() + " saturated", k -> new ArrayList<>())
              .add(phase(p.calls(), () -> StoreCostDriver.saturated(ctx, p.calls(), p.inFlight(), op.getValue())));
          all.computeIfAbsent(op.getKey() + " paced", k -> new ArrayList<>())
              .add(phase(p.calls(), () -> paced(m, ctx, p.calls(), p.rate(), op.getValue())));
        }
      }
      store.close();
    } finally {
      m.vertx().close().await(30, TimeUnit.SECONDS);
    }
    StringBuilder out = new StringBuilder();
    out.append(String.format("Hazelcast store, one member, %d CPU(s) seen: %d calls per phase over %d users, "
        + "%d-byte bodies; saturated = %d in flight, paced = %d calls/s; %d runs (min / median)%n",
        Runtime.getRuntime().availableProcessors(), p.calls(), p.users(), p.body(), p.inFlight(), p.rate(), p.runs()));
    out.append(String.format("%-26s %20s %20s %20s%n", "phase", "process cpu us/call", "collector ms", "calls/s"));
    all.forEach((name, phases) -> {
      int errors = phases.stream().mapToInt(Phase::errors).sum();
      out.append(String.format("%-26s %20s %20s %20s%s%n", name, StoreCostDriver.minMedian(phases, Phase::cpuUs, 1), StoreCostDriver.minMedian(phases, Phase::gcMs, 1),
          StoreCostDriver.minMedian(phases, Phase::callsPerSecond, 1), errors > 0 ? " ERRORS=" + errors : ""));
    });
    return out.toString();
  }

  private static Phase phase(int n, java.util.function.Supplier<CompletableFuture<Integer>> run) throws Exception {
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long cpu0 = os.getProcessCpuTime();
    long gc0 = gcMillis();
    long t0 = System.nanoTime();
    int errors = run.get().get(10, TimeUnit.MINUTES);
    long t1 = System.nanoTime();
    long cpu1 = os.getProcessCpuTime();
    return new Phase((cpu1 - cpu0) / 1e3 / n, gcMillis() - gc0, n / ((t1 - t0) / 1e9), errors);
  }

  private static long gcMillis() {
    long total = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      total += Math.max(0, gc.getCollectionTime());
    }
    return total;
  }

  /** Issues rate calls a second on ctx, in 1 ms ticks, however many are outstanding. */
  private static CompletableFuture<Integer> paced(TestCluster.Member m, Context ctx, int n, int rate,
                                                  IntFunction<Future<?>> op) {
    StoreCostDriver.Counter c = new StoreCostDriver.Counter(n);
    long start = System.nanoTime();
    ctx.runOnContext(v -> m.vertx().setPeriodic(1, id -> {
      long due = Math.min(n, (System.nanoTime() - start) * rate / 1_000_000_000L);
      while (c.next < due) {
        op.apply(c.next++).onComplete(ar -> c.finished(ar.failed()));
      }
      if (c.next >= n) {
        m.vertx().cancelTimer(id);
      }
    }));
    return c.done;
  }
}
