package io.courier.delivery.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Redis settings under which an acknowledged message can be lost without a word, judged from
 * what Redis answers (CONFIG GET, INFO replication). Each finding is one sentence an operator can
 * act on; none of them stops the node, since each can be a deliberate choice.
 *
 * <ul>
 *   <li>No AOF, or {@code appendfsync} other than {@code always}: a crash loses the last writes
 *       (with everysec, up to about a second) and hands their seqs out again.
 *   <li>{@code maxmemory-policy} other than {@code noeviction}: under memory pressure Redis evicts
 *       keys; inbox streams carry a TTL, so even the {@code volatile-*} policies pick them.
 *   <li>Replicas: replication is asynchronous and Courier does not WAIT for a replica, so a
 *       failover to a replica loses what it had not received. {@code min-replicas-to-write} only
 *       makes the primary refuse writes while fewer replicas than that are connected and recent
 *       (within {@code min-replicas-max-lag} seconds); it does not make a write wait for one, so it
 *       bounds the loss window, it does not close it.
 * </ul>
 */
final class RedisDeploymentChecks {
  private RedisDeploymentChecks() {}

  /** The warnings; a null argument is a question Redis did not answer (nothing said about it). */
  static List<String> warnings(Map<String, String> persistence, Map<String, String> memory,
                               Map<String, String> replicas, String replicationInfo) {
    List<String> out = new ArrayList<>();
    if (persistence != null) {
      if (!"yes".equals(persistence.get("appendonly"))) {
        out.add("Redis runs without AOF (appendonly " + persistence.get("appendonly")
            + "): a Redis restart loses every inbox (clients see a new epoch)");
      } else if (!"always".equals(persistence.get("appendfsync"))) {
        out.add("Redis AOF fsync policy is '" + persistence.get("appendfsync")
            + "': a Redis crash can lose the last acknowledged messages; use appendfsync always");
      }
    }
    if (memory != null) {
      String policy = memory.get("maxmemory-policy");
      if (policy != null && !"noeviction".equals(policy)) {
        out.add("Redis maxmemory-policy is '" + policy + "': under memory pressure Redis evicts keys, and inbox "
            + "streams (which carry a TTL) can go with their acknowledged messages; use maxmemory-policy noeviction "
            + "(a full Redis then refuses sends instead)");
      }
    }
    if (replicationInfo != null) {
      Map<String, String> info = info(replicationInfo);
      String role = info.get("role");
      int connected = parseInt(info.get("connected_slaves"));
      String minReplicas = replicas == null ? null : replicas.get("min-replicas-to-write");
      String bound = minReplicas == null || "0".equals(minReplicas)
          ? "min-replicas-to-write is 0"
          : "min-replicas-to-write " + minReplicas + " only refuses writes while fewer replicas are connected, it does"
              + " not make a write wait for one";
      if ("slave".equals(role) || "replica".equals(role)) {
        out.add("Redis is a replica of " + info.get("master_host") + ":" + info.get("master_port")
            + ": it replicates asynchronously and Courier does not WAIT, so a failover can lose acknowledged "
            + "messages the new primary never received (" + bound + ")");
      } else if (connected > 0) {
        out.add("Redis has " + connected + " connected replica" + (connected == 1 ? "" : "s")
            + ": replication is asynchronous and Courier does not WAIT, so a failover to a replica can lose "
            + "acknowledged messages it had not received (" + bound + ")");
      }
    }
    return out;
  }

  /** The {@code name:value} lines of an INFO section. */
  static Map<String, String> info(String text) {
    Map<String, String> out = new java.util.HashMap<>();
    for (String line : text.split("\r?\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && !line.startsWith("#")) {
        out.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
      }
    }
    return out;
  }

  private static int parseInt(String s) {
    try {
      return s == null ? 0 : Integer.parseInt(s);
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
