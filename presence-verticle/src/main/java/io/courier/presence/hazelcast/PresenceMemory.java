package io.courier.presence.hazelcast;

import com.hazelcast.map.LocalMapStats;
import io.courier.cluster.ClusterSetup;
import io.courier.cluster.FreePorts;
import io.courier.cluster.Maps;
import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.vertx.core.Future;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * What one online user costs in the presence map, run from the node's jar:
 * {@code java -cp node/target/courier.jar io.courier.presence.hazelcast.PresenceMemory --users 100000}. Starts real
 * Hazelcast members in this JVM exactly as a node does ({@link ClusterSetup}, Courier's map configs,
 * {@code COURIER_HZ_BACKUP_COUNT}), registers {@code --users} online users through
 * {@link HazelcastPresence#addDevice} in batches of concurrent calls (each user on the member the
 * user's number picks, like gateways on several nodes; every tenth user with a second device), then
 * reports per user: Hazelcast's own entry memory cost (owned and backup, summed over the members)
 * and the heap growth of the whole JVM after a full GC (both members live in it, so that is owned
 * plus backup too). Loopback only; a cluster name of its own.
 */
public final class PresenceMemory {
  static final String USAGE = "usage: java -cp courier.jar " + PresenceMemory.class.getName()
      + " [--users 100000] [--members 2] [--backups 1] [--watchers 0] [--batch 1000] [--out FILE]";

  /** A flag this tool does not take, or a value out of range. */
  static final class UsageException extends IllegalArgumentException {
    UsageException(String message) {
      super(message);
    }
  }

  private PresenceMemory() {}

  public static void main(String[] args) {
    int status;
    try {
      status = run(args, System.out, System.err);
    } catch (UsageException e) {
      System.err.println("presence-memory: " + e.getMessage());
      status = 2;
    } catch (RuntimeException e) {
      System.err.println("presence-memory: failed: " + e);
      status = 1;
    }
    System.out.flush();
    System.err.flush();
    System.exit(status);
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    int users = 100_000;
    int members = 2;
    int backups = 1;
    int batch = 1000;
    int watchers = 0;
    java.nio.file.Path outFile = null;
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      if (i + 1 >= args.length) {
        throw new UsageException(flag + " needs a value\n" + USAGE);
      }
      String v = args[++i];
      switch (flag) {
        case "--users" -> users = positive(flag, v, 10_000_000);
        case "--members" -> members = positive(flag, v, 5);
        case "--backups" -> backups = between(flag, v, 0, 6);
        case "--batch" -> batch = positive(flag, v, 100_000);
        case "--watchers" -> watchers = between(flag, v, 0, 5);
        case "--out" -> outFile = java.nio.file.Path.of(v);
        default -> throw new UsageException("unknown flag " + flag + "\n" + USAGE);
      }
    }
    if (watchers > members) {
      throw new UsageException("--watchers must be at most --members (" + members + ")");
    }
    JsonObject result = measure(users, members, backups, watchers, batch, err);
    out.println("| users | members | backups | watchers | owned B/user | backup B/user | heap B/user (after GC) | registered in | sweep aggregation | purge pass |");
    out.println("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    out.printf("| %,d | %d | %d | %d | %s | %s | %.0f | %.1f s | %d ms | %d ms (%,d watched users offline) |%n", users, members, backups, watchers,
        cost(result.getLong("ownedBytes"), users), cost(result.getLong("backupBytes"), users),
        result.getDouble("heapBytesPerUser"), result.getLong("tookMs") / 1000.0,
        result.getLong("sweepAggregationMs"), result.getLong("purgePassMs"), result.getInteger("watchedUsersOfflineAfterPurge"));
    if (outFile != null) {
      try {
        java.nio.file.Files.writeString(outFile, result.encodePrettily() + "\n");
      } catch (java.io.IOException e) {
        throw new IllegalStateException("cannot write " + outFile + ": " + e.getMessage(), e);
      }
    }
    return 0;
  }

  /** Hazelcast reports -1 per member for a map that keeps objects: it computes costs only for BINARY. */
  private static String cost(long bytes, int users) {
    return bytes < 0 ? "n/a" : String.format("%.0f", (double) bytes / users);
  }

  private static int positive(String flag, String v, int max) {
    return between(flag, v, 1, max);
  }

  private static int between(String flag, String v, int min, int max) {
    try {
      int n = Integer.parseInt(v);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException ignored) {
      // below
    }
    throw new UsageException(flag + " must be " + min + "-" + max + ", got '" + v + "'");
  }

  static JsonObject measure(int users, int memberCount, int backups, int watchers, int batch, PrintStream err) {
    CourierConfig base = CourierConfig.defaults()
        .with(ConfigKeys.CLUSTER_NAME, "presence-memory-" + UUID.randomUUID())
        .with(ConfigKeys.CLUSTER_HOST, "127.0.0.1")
        .with(ConfigKeys.HZ_BACKUP_COUNT, backups);
    List<ClusterSetup.Started> members = new ArrayList<>();
    try {
      String seed = null;
      for (int m = 0; m < memberCount; m++) {
        CourierConfig cfg = base.with(ConfigKeys.CLUSTER_PORT, FreePorts.pick("127.0.0.1"));
        if (seed != null) {
          cfg = cfg.with(ConfigKeys.CLUSTER_MEMBERS, seed);
        }
        ClusterSetup.Started s = ClusterSetup.startClusteredVertx(cfg, "bench-" + m, new VertxOptions()).await();
        members.add(s);
        if (seed == null) {
          seed = "127.0.0.1:" + cfg.getInt(ConfigKeys.CLUSTER_PORT);
        }
      }
      awaitSafe(members);
      List<HazelcastPresence> registries = members.stream()
          .map(s -> new HazelcastPresence(s.vertx(), s.clusterManager().getHazelcastInstance())).toList();
      // The map exists (empty) before the baseline, so its fixed cost is not charged to the users.
      registries.get(0).map().size();
      long heapBefore = heapAfterGc();
      long started = System.nanoTime();
      String[] nodeIds = new String[memberCount];
      for (int m = 0; m < memberCount; m++) {
        nodeIds[m] = "node-" + UUID.randomUUID().toString().substring(0, 8);
      }
      long devices = 0;
      for (int from = 0; from < users; from += batch) {
        List<Future<?>> calls = new ArrayList<>(batch * 2);
        List<String> batchUsers = new ArrayList<>(batch);
        for (int u = from; u < Math.min(users, from + batch); u++) {
          int m = u % memberCount;
          String user = "user-" + u + "-" + Integer.toHexString(u * 0x9E3779B1);
          batchUsers.add(user);
          calls.add(registries.get(m).addDevice(user, UUID.randomUUID().toString(), nodeIds[m]));
          devices++;
          if (u % 10 == 0) {
            int other = (u + 1) % memberCount;
            calls.add(registries.get(other).addDevice(user, UUID.randomUUID().toString(), nodeIds[other]));
            devices++;
          }
        }
        // With --watchers W, members 0..W-1 each watch every user (one connection each): what a
        // watched user's entry costs, and what a purge tells.
        for (int w = 0; w < watchers; w++) {
          calls.add(registries.get(w).watch(batchUsers, nodeIds[w], 1));
        }
        Future.all(calls).await();
        if ((from / batch) % 20 == 0) {
          err.printf("presence-memory: %,d users registered%n", Math.min(users, from + batch));
        }
      }
      long tookMs = (System.nanoTime() - started) / 1_000_000;
      long heapAfter = heapAfterGc();
      long owned = 0;
      long backup = 0;
      long entries = 0;
      for (ClusterSetup.Started s : members) {
        LocalMapStats stats = s.clusterManager().getHazelcastInstance().getMap(Maps.PRESENCE).getLocalMapStats();
        owned += stats.getOwnedEntryMemoryCost();
        backup += stats.getBackupEntryMemoryCost();
        entries += stats.getOwnedEntryCount();
      }
      if (entries != users) {
        throw new IllegalStateException("the map holds " + entries + " entries, expected " + users);
      }
      // What the liveness paths cost at this size: the sweep's aggregation of member ids, and the
      // purge pass that follows a crash (the last member's devices; its users without another device
      // go offline).
      long t0 = System.nanoTime();
      int memberIds = registries.get(0).memberIds().await().size();
      long sweepMs = (System.nanoTime() - t0) / 1_000_000;
      t0 = System.nanoTime();
      int offline = registries.get(0).purgeMember(registries.get(memberCount - 1).localMemberId()).await().size();
      long purgeMs = (System.nanoTime() - t0) / 1_000_000;
      return new JsonObject().put("users", users).put("devices", devices).put("members", memberCount)
          .put("watchers", watchers)
          .put("backups", backups).put("ownedBytes", owned).put("backupBytes", backup)
          .put("ownedBytesPerUser", (double) owned / users).put("backupBytesPerUser", (double) backup / users)
          .put("heapBytes", heapAfter - heapBefore).put("heapBytesPerUser", (double) (heapAfter - heapBefore) / users)
          .put("tookMs", tookMs).put("sweepAggregationMs", sweepMs).put("memberIdsFound", memberIds)
          .put("purgePassMs", purgeMs).put("watchedUsersOfflineAfterPurge", offline)
          .put("java", System.getProperty("java.version"))
          .put("maxHeapBytes", Runtime.getRuntime().maxMemory());
    } finally {
      for (int i = members.size() - 1; i >= 0; i--) {
        members.get(i).vertx().close().await();
      }
    }
  }

  /** Until every member's partitions and backups are in place (the second member just joined). */
  private static void awaitSafe(List<ClusterSetup.Started> members) {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (!members.stream().allMatch(s -> s.clusterManager().getHazelcastInstance().getPartitionService().isClusterSafe())) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the bench cluster did not become safe within 120 s");
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  /** Heap in use after full collections, once it stops shrinking (System.gc() is a request). */
  static long heapAfterGc() {
    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    long last = Long.MAX_VALUE;
    for (int i = 0; i < 10; i++) {
      System.gc();
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      long used = mem.getHeapMemoryUsage().getUsed();
      if (used >= last - 64 * 1024) {
        return Math.min(used, last);
      }
      last = used;
    }
    return last;
  }
}
