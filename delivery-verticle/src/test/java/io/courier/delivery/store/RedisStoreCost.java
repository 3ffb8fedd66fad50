package io.courier.delivery.store;

import io.courier.delivery.store.redis.PreviousInboxScripts;
import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.protocol.InboxMessage;
import io.courier.testing.Ports;
import io.courier.testing.RedisServer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * Redis's work per inbox call: the CPU time redis-server spends per append and per read made
 * through {@link RedisMessageStore}, and the script's own time ({@code INFO commandstats},
 * {@code usec_per_call} of {@code evalsha}). A figure of Redis's cost, not of wall-clock speed, so
 * it needs no quiet machine; no limit is asserted. Each run starts its own redis-server on a free
 * port with {@code --appendonly yes --appendfsync always} (the durable setup), appends N messages
 * round-robin over U users with the default retention settings, then reads them back in the ways
 * the node does: head only ({@code read(u, 0, 0)}), one message (the re-push of a duplicate),
 * a sync page. Runs R times and prints min and median of each figure. With
 * {@code -Dbench.scripts=previous,current} each run measures {@link PreviousInboxScripts} too (called with
 * the arguments the store passes), each on a server of its own, alternating, for a before/after
 * on the same machine at the same time.
 *
 * <p>Run (not part of any suite: the class name matches no test pattern):
 * <pre>
 * ./mvnw -B -q -o -pl delivery-verticle -am test -Dtest=RedisStoreCost -Dsurefire.failIfNoSpecifiedTests=false \
 *     [-Dbench.appends=20000 -Dbench.users=2000 -Dbench.body=64 -Dbench.inFlight=32 -Dbench.runs=3 -Dbench.scripts=previous,current]
 * cat delivery-verticle/target/redis-store-cost.txt
 * </pre>
 * Or call {@link #main} on the test class path.
 */
public final class RedisStoreCost {
  record Params(int appends, int users, int body, int inFlight, int runs, List<String> versions) {
    static Params fromSystemProperties() {
      return new Params(Integer.getInteger("bench.appends", 20_000), Integer.getInteger("bench.users", 2_000),
          Integer.getInteger("bench.body", 64), Integer.getInteger("bench.inFlight", 32),
          Integer.getInteger("bench.runs", 3), List.of(System.getProperty("bench.scripts", "current").split(",")));
    }
  }

  /** The inbox calls measured: through the store, or the previous scripts with the store's arguments. */
  interface Ops {
    Future<?> append(String user, InboxMessage draft);

    Future<?> read(String user, long after, int limit);
  }

  /** The current scripts, as the node calls them. */
  static Ops current(RedisMessageStore store) {
    return new Ops() {
      @Override
      public Future<?> append(String user, InboxMessage draft) {
        return store.append(user, draft);
      }

      @Override
      public Future<?> read(String user, long after, int limit) {
        return store.read(user, after, limit);
      }
    };
  }

  /** {@link PreviousInboxScripts} with the keys and arguments the store passes its own scripts, for a before/after. */
  static Ops previous(RedisMessageStore store) {
    return new Ops() {
      @Override
      public Future<?> append(String user, InboxMessage d) {
        return PreviousInboxScripts.APPEND.run(store.client(), RedisMessageStore.appendKeys(user, d),
            store.appendArgs(d, System.currentTimeMillis()));
      }

      @Override
      public Future<?> read(String user, long after, int limit) {
        return PreviousInboxScripts.READ.run(store.client(), RedisMessageStore.readKeys(user),
            store.readArgs(after, limit, System.currentTimeMillis()));
      }
    };
  }

  /** One phase's figures: redis-server CPU µs per call, evalsha µs per call, nested commands per call. */
  record Phase(double cpuUs, double procCpuUs, double scriptUs, Map<String, Double> commandsPerCall, int errors) {}

  public static void main(String[] args) throws Exception {
    System.out.println(run(Params.fromSystemProperties()));
  }

  @Test
  void measure() throws Exception {
    String report = run(Params.fromSystemProperties());
    Files.writeString(Path.of("target", "redis-store-cost.txt"), report);
    System.out.println(report);
  }

  static String run(Params p) throws Exception {
    Map<String, List<Phase>> all = new LinkedHashMap<>();
    for (int r = 0; r < p.runs(); r++) {
      for (String version : p.versions()) {
        once(p, version).forEach((name, phase) -> all.computeIfAbsent(name + " " + version, k -> new ArrayList<>()).add(phase));
      }
    }
    StringBuilder out = new StringBuilder();
    out.append(String.format("redis-server cost per call: %d appends over %d users, %d-byte bodies, %d in flight, "
        + "%d runs (min / median)%n", p.appends(), p.users(), p.body(), p.inFlight(), p.runs()));
    out.append(String.format("%-18s %22s %22s %22s  %s%n", "phase", "redis cpu us/call", "/proc cpu us/call",
        "evalsha us/call", "commands per call (last run)"));
    all.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(entry -> {
      String name = entry.getKey();
      List<Phase> phases = entry.getValue();
      Phase last = phases.get(phases.size() - 1);
      StringBuilder cmds = new StringBuilder();
      last.commandsPerCall().forEach((c, n) -> cmds.append(c).append('=').append(String.format("%.2f", n)).append(' '));
      int errors = phases.stream().mapToInt(Phase::errors).sum();
      out.append(String.format("%-18s %22s %22s %22s  %s%s%n", name, StoreCostDriver.minMedian(phases, Phase::cpuUs, 2),
          StoreCostDriver.minMedian(phases, Phase::procCpuUs, 2), StoreCostDriver.minMedian(phases, Phase::scriptUs, 2), cmds, errors > 0 ? " ERRORS=" + errors : ""));
    });
    return out.toString();
  }

  private static Map<String, Phase> once(Params p, String version) throws Exception {
    Map<String, Phase> phases = new LinkedHashMap<>();
    Vertx vertx = Vertx.vertx();
    try (RedisServer server = RedisServer.start(Ports.free(), null, "--appendonly", "yes", "--appendfsync", "always")) {
      CourierConfig cfg = CourierConfig.defaults().with(ConfigKeys.REDIS_URL, server.url());
      RedisMessageStore store = new RedisMessageStore(vertx, cfg);
      Ops ops = version.equals("previous") ? previous(store) : current(store);
      Redis admin = Redis.createClient(vertx, server.url());
      RedisAPI api = RedisAPI.api(admin);
      Context ctx = vertx.getOrCreateContext();
      try {
        await(store.started());
        String body = "\"" + "x".repeat(Math.max(0, p.body() - 2)) + "\"";
        long ts = System.currentTimeMillis();
        IntFunction<InboxMessage> draft = i -> new InboxMessage(0, null, "m" + i, "s" + (i % 97), "u" + (i % p.users()),
            null, body, ts + i);
        // Warm up the JIT, the connections and the script cache on users of their own.
        StoreCostDriver.saturated(ctx, 2_000, p.inFlight(), i -> ops.append("w" + (i % 200), draft.apply(i))).get(60, TimeUnit.SECONDS);
        StoreCostDriver.saturated(ctx, 1_000, p.inFlight(), i -> ops.read("w" + (i % 200), 0, 500)).get(60, TimeUnit.SECONDS);

        int perUser = Math.max(1, p.appends() / p.users());
        phases.put("append", phase(server, api, ctx, p.appends(), p.inFlight(),
            i -> ops.append("u" + (i % p.users()), draft.apply(i))));
        phases.put("dup", phase(server, api, ctx, p.appends(), p.inFlight(),
            i -> ops.append("u" + (i % p.users()), draft.apply(i))));
        phases.put("read-head", phase(server, api, ctx, p.appends(), p.inFlight(),
            i -> ops.read("u" + (i % p.users()), 0, 0)));
        phases.put("read-one", phase(server, api, ctx, p.appends(), p.inFlight(),
            i -> ops.read("u" + (i % p.users()), (i / p.users()) % perUser, 1)));
        phases.put("read-sync", phase(server, api, ctx, p.users(), p.inFlight(),
            i -> ops.read("u" + i, 0, 500)));
      } finally {
        await(store.close());
        admin.close();
      }
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
    return phases;
  }

  private static Phase phase(RedisServer server, RedisAPI api, Context ctx, int n, int inFlight,
                             IntFunction<Future<?>> op) throws Exception {
    await(api.config(List.of("RESETSTAT")));
    double cpu0 = redisCpuUs(api);
    long proc0 = procCpuTicks(server.pid());
    int errors = StoreCostDriver.saturated(ctx, n, inFlight, op).get(10, TimeUnit.MINUTES);
    long proc1 = procCpuTicks(server.pid());
    double cpu1 = redisCpuUs(api);
    Map<String, long[]> stats = commandStats(api);
    long[] eval = stats.getOrDefault("evalsha", new long[] {0, 0});
    Map<String, Double> perCall = new LinkedHashMap<>();
    stats.forEach((cmd, s) -> {
      if (!cmd.equals("evalsha") && !cmd.equals("info") && !cmd.equals("config") && !cmd.equals("eval")) {
        perCall.put(cmd, s[0] / (double) n);
      }
    });
    double tickUs = 1_000_000.0 / clockTicks();
    return new Phase((cpu1 - cpu0) / n, (proc1 - proc0) * tickUs / n, eval[0] == 0 ? 0 : eval[1] / (double) eval[0],
        perCall, errors);
  }

  /** used_cpu_sys + used_cpu_user of INFO cpu, in µs (getrusage, so finer than /proc's ticks). */
  private static double redisCpuUs(RedisAPI api) {
    double total = 0;
    for (String line : await(api.info(List.of("cpu"))).toString().split("\r?\n")) {
      if (line.startsWith("used_cpu_sys:") || line.startsWith("used_cpu_user:")) {
        total += Double.parseDouble(line.substring(line.indexOf(':') + 1).trim());
      }
    }
    return total * 1_000_000;
  }

  /** Command name to {calls, usec} from INFO commandstats. */
  private static Map<String, long[]> commandStats(RedisAPI api) {
    Map<String, long[]> stats = new LinkedHashMap<>();
    for (String line : await(api.info(List.of("commandstats"))).toString().split("\r?\n")) {
      if (!line.startsWith("cmdstat_")) {
        continue;
      }
      String name = line.substring("cmdstat_".length(), line.indexOf(':'));
      long calls = 0;
      long usec = 0;
      for (String kv : line.substring(line.indexOf(':') + 1).split(",")) {
        String[] parts = kv.split("=");
        if (parts[0].equals("calls")) {
          calls = Long.parseLong(parts[1]);
        } else if (parts[0].equals("usec")) {
          usec = Long.parseLong(parts[1]);
        }
      }
      stats.put(name, new long[] {calls, usec});
    }
    return stats;
  }

  /** utime + stime of /proc/PID/stat, in clock ticks. */
  private static long procCpuTicks(long pid) throws Exception {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    // After "pid (comm) ": state is field 3, so utime (14) and stime (15) are at 11 and 12.
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  private static long clockTicks() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").start();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      p.waitFor();
      return Long.parseLong(out);
    } catch (Exception e) {
      return 100;
    }
  }

  private static <T> T await(Future<T> f) {
    try {
      return f.await(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(e);
    }
  }
}
