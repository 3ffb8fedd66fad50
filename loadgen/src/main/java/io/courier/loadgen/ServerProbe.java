package io.courier.loadgen;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What the load generator can see of the server: RSS and threads from /proc/PID/status (when the
 * server's pid is given) and heap from its Prometheus text endpoint (when a metrics URL is given).
 * Values it cannot read are absent (-1), never guessed.
 */
final class ServerProbe {
  private final int pid;
  private final String metricsUrl;
  private final HttpClient http;
  private final boolean liveHeap;

  /**
   * With {@code liveHeap}, each sample first has the server JVM run a full collection (jcmd PID
   * GC.run) and then reads its heap occupancy (jcmd PID GC.heap_info): what is still referenced,
   * which is what a leak grows. It costs the server one full-GC pause per sample.
   */
  ServerProbe(int pid, String metricsUrl, boolean liveHeap) {
    this.pid = pid;
    this.metricsUrl = metricsUrl;
    this.liveHeap = liveHeap;
    this.http = metricsUrl == null ? null : HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    if (pid > 0 && !Files.isReadable(Path.of("/proc/" + pid + "/status"))) {
      throw new Options.UsageException("--server-pid " + pid + ": no readable /proc/" + pid + "/status (is the process running?)");
    }
  }

  /**
   * One sample: rssBytes, threads, heapBytes, and the server's own count of bytes queued for its
   * clients (courier_outbound_queued_bytes; each -1 when unknown), at epoch ms.
   */
  record Sample(long atMs, long rssBytes, long threads, long heapBytes, int connections, long queuedBytes,
                long liveHeapBytes) {
    JsonObject toJson() {
      return new JsonObject().put("atMs", atMs).put("rssBytes", rssBytes).put("threads", threads)
          .put("heapBytes", heapBytes).put("connections", connections).put("queuedBytes", queuedBytes)
          .put("liveHeapBytes", liveHeapBytes);
    }
  }

  Sample sample(int connections) {
    long live = liveHeap && pid > 0 ? liveHeapBytes() : -1;
    long rss = -1;
    long threads = -1;
    if (pid > 0) {
      try {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
          if (line.startsWith("VmRSS:")) {
            rss = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
          } else if (line.startsWith("Threads:")) {
            threads = Long.parseLong(line.replaceAll("[^0-9]", ""));
          }
        }
      } catch (IOException | RuntimeException e) {
        // The server went away: the sample says unknown.
      }
    }
    String metrics = scrape();
    long heap = metrics == null ? -1 : heapFromPrometheus(metrics);
    long queued = metrics == null ? -1 : (long) sum(metrics, "courier_outbound_queued_bytes", "");
    return new Sample(System.currentTimeMillis(), rss, threads, heap, connections, queued, live);
  }

  /** Full GC in the server, then its used heap; -1 when jcmd cannot reach it. */
  private long liveHeapBytes() {
    if (jcmd("GC.run") == null) {
      return -1;
    }
    String info = jcmd("GC.heap_info");
    return info == null ? -1 : usedFromHeapInfo(info);
  }

  /**
   * The used heap in GC.heap_info: the sum of its "total NK, used NK" lines, which are the whole heap
   * for G1 ("garbage-first heap") and one line per generation for Serial ("def new generation",
   * "tenured generation") and Parallel ("PSYoungGen", "ParOldGen"); the eden/from/to lines under
   * them and Metaspace have no "total" and are not counted. -1 if there is no such line.
   */
  static long usedFromHeapInfo(String text) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("total \\d+[KMG], used (\\d+)([KMG])").matcher(text);
    long sum = 0;
    boolean found = false;
    while (m.find()) {
      found = true;
      long n = Long.parseLong(m.group(1));
      sum += switch (m.group(2)) {
        case "K" -> n * 1024;
        case "M" -> n * 1024 * 1024;
        default -> n * 1024 * 1024 * 1024;
      };
    }
    return found ? sum : -1;
  }

  private String jcmd(String command) {
    try {
      Process p = new ProcessBuilder("jcmd", String.valueOf(pid), command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      return p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0 ? out : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** The server's Prometheus text, or null when there is no metrics URL or it does not answer. */
  String scrape() {
    if (http == null) {
      return null;
    }
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(metricsUrl)).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body() : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** Sum of the series {@code name} whose labels contain {@code fragment}; -1 if there is none. */
  static double sum(String text, String name, String fragment) {
    double total = 0;
    boolean found = false;
    for (String line : text.split("\n")) {
      if ((line.startsWith(name + "{") || line.startsWith(name + " ")) && line.contains(fragment)) {
        String rest = line.startsWith(name + "{") ? line.substring(line.lastIndexOf('}') + 1) : line.substring(name.length());
        String[] parts = rest.trim().split("\\s+");
        try {
          total += Double.parseDouble(parts[0]);
          found = true;
        } catch (NumberFormatException ignored) {
          // not a sample line
        }
      }
    }
    return found ? total : -1;
  }

  /** Sum of {@code jvm_memory_used_bytes{area="heap",...}} in Prometheus text format; -1 if absent. */
  static long heapFromPrometheus(String text) {
    double sum = 0;
    boolean found = false;
    for (String line : text.split("\n")) {
      if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
        // Label values may hold spaces ("Eden Space"): the value is the first field after the labels.
        String[] parts = line.substring(line.lastIndexOf('}') + 1).trim().split("\\s+");
        try {
          sum += Double.parseDouble(parts[0]);
          found = true;
        } catch (NumberFormatException ignored) {
          // not a sample line
        }
      }
    }
    return found ? (long) sum : -1;
  }
}
