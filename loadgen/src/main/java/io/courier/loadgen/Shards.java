package io.courier.loadgen;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * --processes N: one process holds fewer sockets than its open-file limit, so this one starts N
 * load-generator processes, each with --shard i/N (its share of connections, rate and drops, its
 * own source addresses), waits for them, and merges their results: counts add up, latency
 * histograms merge, the slowest reconnect wins.
 */
final class Shards {
  private static final java.util.Set<String> RATES = java.util.Set.of("offeredRate", "deliveredPerSec", "connectPerSec");

  private Shards() {}

  static JsonObject run(Options o, String[] args, PrintStream err) {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<Process> procs = new ArrayList<>();
    List<Path> outs = new ArrayList<>();
    Path barrier = null;
    try {
      // Every shard sends only once all of them hold their connections (see Bench.openAll).
      barrier = Files.createTempDirectory("courier-bench-barrier-");
      for (int i = 0; i < o.processes; i++) {
        Path out = Files.createTempFile("courier-bench-shard" + i + "-", ".json");
        outs.add(out);
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        for (int a = 0; a < args.length; a++) {
          if (args[a].equals("--processes") || args[a].equals("--out")) {
            a++; // replaced below
          } else {
            cmd.add(args[a]);
          }
        }
        cmd.addAll(List.of("--shard", i + "/" + o.processes, "--out", out.toString(), "--barrier", barrier.toString()));
        if (i > 0) {
          cmd.add("--quiet"); // one progress line, not N
        }
        procs.add(new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.INHERIT).start());
      }
      List<JsonObject> results = new ArrayList<>();
      for (int i = 0; i < procs.size(); i++) {
        int status = procs.get(i).waitFor();
        if (status == 2 || status == 3) {
          throw new Options.UsageException("shard " + i + "/" + o.processes + " refused to run (exit " + status + ", see above)");
        }
        results.add(new JsonObject(Files.readString(outs.get(i))));
      }
      return merge(results);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the shard processes: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } finally {
      for (Process p : procs) {
        p.destroy();
      }
      for (Path p : outs) {
        try {
          Files.deleteIfExists(p);
        } catch (IOException ignored) {
          // a temp file left behind
        }
      }
      if (barrier != null) {
        try (var files = Files.list(barrier)) {
          for (Path p : files.toList()) {
            Files.deleteIfExists(p);
          }
          Files.deleteIfExists(barrier);
        } catch (IOException ignored) {
          // a temp dir left behind
        }
      }
    }
  }

  static JsonObject merge(List<JsonObject> shards) {
    JsonObject first = shards.get(0).copy();
    Histogram h = Report.decode(first.getString("histogram"));
    JsonArray addresses = new JsonArray();
    boolean ok = true;
    for (int i = 0; i < shards.size(); i++) {
      JsonObject s = shards.get(i);
      ok &= s.getBoolean("ok", false);
      addresses.addAll(s.getJsonObject("connections").getJsonArray("sourceAddresses"));
      if (i == 0) {
        continue;
      }
      h.add(Report.decode(s.getString("histogram")));
      add(first.getJsonObject("connections"), s.getJsonObject("connections"), "requested", "opened", "failed", "connectPerSec", "reconnects");
      add(first.getJsonObject("messages"), s.getJsonObject("messages"), "offeredRate", "sent", "confirmed", "received", "lost",
          "duplicated", "redelivered", "rejected", "unconfirmed", "errors", "recipientsMissingMessages", "deliveredPerSec");
      if (s.getJsonObject("warmup") != null && first.getJsonObject("warmup") != null) {
        JsonObject w = first.getJsonObject("warmup");
        add(w, s.getJsonObject("warmup"), "sent", "confirmed", "received", "lost", "duplicated", "unconfirmed", "rejected");
        w.put("ok", w.getBoolean("ok", false) && s.getJsonObject("warmup").getBoolean("ok", false))
            .put("durationMs", Math.max(w.getLong("durationMs"), s.getJsonObject("warmup").getLong("durationMs")));
      }
      if (s.getJsonObject("loadgen") != null && first.getJsonObject("loadgen") != null) {
        first.put("loadgen", LoadCpu.merge(first.getJsonObject("loadgen"), s.getJsonObject("loadgen")));
      }
      if (s.getJsonObject("reconnect") != null) {
        JsonObject r = first.getJsonObject("reconnect");
        add(r, s.getJsonObject("reconnect"), "dropped", "back", "failed");
        for (String k : List.of("allBackAndSyncedMs", "p50Ms", "p99Ms", "maxMs")) {
          Long a = r.getLong(k);
          Long b = s.getJsonObject("reconnect").getLong(k);
          r.put(k, a == null || b == null ? null : Math.max(a, b));
        }
      }
      if (s.getJsonObject("reach") != null && first.getJsonObject("reach") != null) {
        JsonObject r = first.getJsonObject("reach");
        add(r, s.getJsonObject("reach"), "users", "reached");
        long a = r.getLong("barrierWaitMs");
        long b = s.getJsonObject("reach").getLong("barrierWaitMs");
        // -1 (a shard gave up waiting) wins: that run did not start together.
        r.put("barrierWaitMs", a < 0 || b < 0 ? -1 : Math.max(a, b));
      }
      first.put("durationMs", Math.max(first.getLong("durationMs"), s.getLong("durationMs")));
    }
    first.getJsonObject("connections").put("sourceAddresses", addresses).put("connectMs",
        shards.stream().mapToLong(s -> s.getJsonObject("connections").getLong("connectMs")).max().orElse(0));
    first.put("latencyMs", Report.latency(h)).put("histogram", Report.encode(h)).put("shard", "merged from " + shards.size() + " processes");
    return first.put("ok", ok);
  }

  private static void add(JsonObject into, JsonObject from, String... keys) {
    for (String k : keys) {
      Object a = into.getValue(k);
      Object b = from.getValue(k);
      if (a instanceof Number x && b instanceof Number y) {
        // Not a ?: expression: that would promote the long sum to double.
        if (RATES.contains(k)) {
          into.put(k, Report.round(x.doubleValue() + y.doubleValue()));
        } else {
          into.put(k, x.longValue() + y.longValue());
        }
      }
    }
  }
}
