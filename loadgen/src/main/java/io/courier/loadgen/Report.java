package io.courier.loadgen;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/**
 * The result of a run: one JSON object (written with --out; shape in loadgen/README.md) and one
 * Markdown table row on stdout.
 */
final class Report {
  static final String TABLE_HEADER = "| scenario | label | connections | offered msg/s | delivered msg/s | p50 ms | p95 ms | p99 ms "
      + "| p99.9 ms | max ms | lost | dup | server RSS/conn | notes |\n"
      + "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |";

  private Report() {}

  static JsonObject build(Options o, Fleet fleet, Fleet.Opened opened, List<ServerProbe.Sample> samples, long sendNanos,
      double offeredRate, boolean raw) {
    Delivery d = fleet.delivery;
    Histogram h = d.total();
    long lost = d.lost();
    long dup = d.duplicated.sum();
    long received = d.received.sum();
    long window = sendNanos;
    JsonObject r = new JsonObject()
        .put("scenario", o.scenario)
        .put("label", o.label)
        .put("startedAt", Instant.now().minusNanos(sendNanos).toString())
        .put("target", new JsonObject().put("host", o.host).put("port", raw && o.baselinePort > 0 ? o.baselinePort : o.port)
            .put("raw", raw))
        .put("shard", o.shardIndex + "/" + o.shardCount)
        .put("durationMs", TimeUnit.NANOSECONDS.toMillis(sendNanos))
        .put("connections", new JsonObject()
            .put("requested", fleet.conns.size())
            .put("opened", opened.ok())
            .put("failed", opened.failed())
            .put("connectPerSec", round(opened.perSecond()))
            .put("connectMs", TimeUnit.NANOSECONDS.toMillis(opened.nanos()))
            .put("reconnects", Math.max(0, fleet.counters.connects.sum() - opened.ok()))
            .put("lastFailure", fleet.counters.lastFailure)
            .put("sourceAddresses", new JsonArray(new ArrayList<>(fleet.sourceAddresses)))
            .put("fdLimit", FdLimit.current()))
        .put("messages", new JsonObject()
            .put("offeredRate", offeredRate)
            .put("sent", d.sent.sum())
            .put("confirmed", d.confirmedCount.sum())
            .put("received", received)
            .put("lost", lost)
            .put("duplicated", dup)
            .put("redelivered", d.redelivered.sum())
            .put("rejected", d.rejected.sum())
            .put("unconfirmed", d.unconfirmed())
            .put("errors", d.errors.sum())
            .put("errorCodes", errorCodes(d))
            .put("recipientsMissingMessages", d.recipientsMissingMessages())
            .put("deliveredPerSec", window > 0 ? round(received * 1e9 / window) : 0.0))
        .put("latencyMs", latency(h))
        .put("histogram", encode(h))
        .put("server", server(samples, opened.ok()));
    r.put("ok", opened.failed() == 0 && lost == 0 && dup == 0 && d.unconfirmed() == 0 && d.rejected.sum() == 0);
    return r;
  }

  /**
   * The warm-up's own check (--warmup): its messages must arrive exactly once like the window's,
   * so a loss or duplicate there fails the run too; its latencies are left out of every figure.
   */
  static void addWarmup(JsonObject r, Delivery w, long sendNanos) {
    long lost = w.lost();
    long dup = w.duplicated.sum();
    long unconfirmed = w.unconfirmed();
    long rejected = w.rejected.sum();
    boolean ok = lost == 0 && dup == 0 && unconfirmed == 0 && rejected == 0;
    r.put("warmup", new JsonObject()
        .put("durationMs", TimeUnit.NANOSECONDS.toMillis(sendNanos))
        .put("sent", w.sent.sum())
        .put("confirmed", w.confirmedCount.sum())
        .put("received", w.received.sum())
        .put("lost", lost)
        .put("duplicated", dup)
        .put("unconfirmed", unconfirmed)
        .put("rejected", rejected)
        .put("ok", ok));
    if (!ok) {
      r.put("ok", false);
    }
  }

  private static JsonObject errorCodes(Delivery d) {
    JsonObject o = new JsonObject();
    new java.util.TreeMap<>(d.errorCodes).forEach((code, n) -> o.put(code, n.sum()));
    return o;
  }

  static JsonObject latency(Histogram h) {
    return new JsonObject().put("count", h.getTotalCount())
        .put("p50", ms(h.getValueAtPercentile(50))).put("p95", ms(h.getValueAtPercentile(95)))
        .put("p99", ms(h.getValueAtPercentile(99))).put("p999", ms(h.getValueAtPercentile(99.9)))
        .put("max", ms(h.getMaxValue())).put("mean", round(h.getMean() / 1e6));
  }

  private static JsonObject server(List<ServerProbe.Sample> samples, int connections) {
    JsonObject s = new JsonObject();
    List<ServerProbe.Sample> copy;
    synchronized (samples) {
      copy = new ArrayList<>(samples);
    }
    if (copy.size() >= 2) {
      ServerProbe.Sample before = copy.get(0);
      ServerProbe.Sample loaded = copy.stream().filter(x -> x.connections() > 0).reduce((a, b) -> b).orElse(copy.get(copy.size() - 1));
      if (before.rssBytes() > 0 && loaded.rssBytes() > 0 && connections > 0) {
        s.put("rssBytesBefore", before.rssBytes()).put("rssBytesLoaded", loaded.rssBytes())
            .put("rssPerConnectionBytes", (loaded.rssBytes() - before.rssBytes()) / connections);
      }
      if (before.heapBytes() > 0 && loaded.heapBytes() > 0 && connections > 0) {
        s.put("heapBytesBefore", before.heapBytes()).put("heapBytesLoaded", loaded.heapBytes())
            .put("heapPerConnectionBytes", (loaded.heapBytes() - before.heapBytes()) / connections);
      }
    }
    return s.put("samples", Bench.toJson(copy));
  }

  /** Soak: growth of RSS and threads between the first and the last sample taken under load. */
  static JsonObject leakCheck(List<ServerProbe.Sample> samples) {
    List<ServerProbe.Sample> loaded;
    synchronized (samples) {
      loaded = samples.stream().filter(x -> x.connections() > 0).toList();
    }
    JsonObject j = new JsonObject().put("samples", loaded.size());
    if (loaded.size() >= 2) {
      ServerProbe.Sample a = loaded.get(0);
      ServerProbe.Sample b = loaded.get(loaded.size() - 1);
      if (a.rssBytes() > 0 && b.rssBytes() > 0) {
        j.put("rssGrowthBytes", b.rssBytes() - a.rssBytes());
      }
      if (a.threads() > 0 && b.threads() > 0) {
        j.put("threadGrowth", b.threads() - a.threads());
      }
      if (a.heapBytes() > 0 && b.heapBytes() > 0) {
        j.put("heapGrowthBytes", b.heapBytes() - a.heapBytes());
      }
      // --live-heap: after a full GC each, so garbage does not hide or fake a trend. The first sample
      // under load still holds the retention window filling up; the second half of the run is where
      // a steady state must stay flat.
      List<ServerProbe.Sample> live = loaded.stream().filter(x -> x.liveHeapBytes() > 0).toList();
      if (live.size() >= 2) {
        ServerProbe.Sample first = live.get(0);
        ServerProbe.Sample mid = live.get(live.size() / 2);
        ServerProbe.Sample last = live.get(live.size() - 1);
        j.put("liveHeapFirstBytes", first.liveHeapBytes()).put("liveHeapMidBytes", mid.liveHeapBytes())
            .put("liveHeapLastBytes", last.liveHeapBytes())
            .put("liveHeapGrowthBytes", last.liveHeapBytes() - first.liveHeapBytes())
            .put("liveHeapGrowthSecondHalfBytes", last.liveHeapBytes() - mid.liveHeapBytes());
      }
    }
    return j;
  }

  static String markdownRow(JsonObject r) {
    JsonObject m = r.getJsonObject("messages");
    JsonObject l = r.getJsonObject("latencyMs");
    JsonObject c = r.getJsonObject("connections");
    Long rssPer = r.getJsonObject("server", new JsonObject()).getLong("rssPerConnectionBytes");
    List<String> notes = new ArrayList<>();
    if (r.getBoolean("ok") != Boolean.TRUE) {
      notes.add("NOT OK");
    }
    if (c.getInteger("failed", 0) > 0) {
      notes.add(c.getInteger("failed") + " connects failed");
    }
    JsonObject reach = r.getJsonObject("reach");
    if (reach != null) {
      notes.add(String.format(Locale.ROOT, "%,d of %,d users reached", reach.getLong("reached"), reach.getLong("users")));
    }
    JsonObject w = r.getJsonObject("warmup");
    if (w != null) {
      notes.add(String.format(Locale.ROOT, "after a %.0f s warm-up (%d sent, %d lost, %d dup)",
          w.getLong("durationMs") / 1000.0, w.getLong("sent"), w.getLong("lost"), w.getLong("duplicated")));
    }
    if (r.getValue("ratioToRaw") != null) {
      notes.add("ratio to raw forwarder " + r.getValue("ratioToRaw"));
    }
    JsonObject rc = r.getJsonObject("reconnect");
    if (rc != null) {
      notes.add(rc.getInteger("back") + "/" + rc.getInteger("dropped") + " back and synced in " + rc.getValue("allBackAndSyncedMs") + " ms");
    }
    JsonObject slow = r.getJsonObject("slow");
    if (slow != null) {
      notes.add(slow.getInteger("opened") + " slow consumers: cut " + slow.getValue("cutOutbound") + " (queue), "
          + slow.getValue("cutUnacked") + " (un-acked), " + slow.getValue("closedIdle") + " idle; peak heap "
          + mib(slow.getLong("peakHeapBytes")) + ", RSS " + mib(slow.getLong("peakRssBytes")) + ", queued "
          + mib(slow.getLong("peakQueuedBytes")));
    }
    if (r.getJsonObject("target").getBoolean("raw")) {
      notes.add("raw forwarder");
    }
    JsonObject room = r.getJsonObject("room");
    if (room != null) {
      notes.add("room of " + room.getInteger("members") + ": offered = room sends/s, delivered = member deliveries/s");
    }
    return String.format(Locale.ROOT, "| %s | %s | %d | %s | %s | %s | %s | %s | %s | %s | %d | %d | %s | %s |",
        r.getString("scenario"), java.util.Objects.toString(r.getString("label"), ""), c.getInteger("opened"), fmt(m.getDouble("offeredRate")),
        fmt(m.getDouble("deliveredPerSec")), l.getValue("p50"), l.getValue("p95"), l.getValue("p99"), l.getValue("p999"),
        l.getValue("max"), m.getLong("lost"), m.getLong("duplicated"), rssPer == null ? "-" : String.format(Locale.ROOT, "%.1f KiB", rssPer / 1024.0),
        String.join("; ", notes));
  }

  static String encode(Histogram h) {
    ByteBuffer b = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
    int n = h.encodeIntoCompressedByteBuffer(b);
    byte[] out = new byte[n];
    b.flip();
    b.get(out);
    return Base64.getEncoder().encodeToString(out);
  }

  static Histogram decode(String base64) {
    try {
      return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(base64)), 0);
    } catch (DataFormatException e) {
      throw new IllegalArgumentException("not an encoded histogram", e);
    }
  }

  private static String mib(Long bytes) {
    return bytes == null || bytes < 0 ? "?" : String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
  }

  private static double ms(long nanos) {
    return round(nanos / 1e6);
  }

  static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }

  private static String fmt(Double d) {
    return d == null ? "-" : String.format(Locale.ROOT, "%.0f", d);
  }
}
