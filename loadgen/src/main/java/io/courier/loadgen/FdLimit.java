package io.courier.loadgen;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's open-file limit (RLIMIT_NOFILE), read from /proc/self/limits. The JVM already
 * raises its soft limit to the hard one at start on Linux, so what is read here is all it gets.
 */
final class FdLimit {
  /** File descriptors a run needs beyond its sockets: JVM jars, epoll, pipes, the result file. */
  static final int OVERHEAD = 200;

  private FdLimit() {}

  /** The soft limit, or -1 when unknown (no /proc, "unlimited"). */
  static long current() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
        if (line.startsWith("Max open files")) {
          String[] f = line.substring("Max open files".length()).trim().split("\\s+");
          return f[0].equals("unlimited") ? -1 : Long.parseLong(f[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /** Null if {@code connections} fit under {@code limit}; otherwise what to tell the user. */
  static String check(int connections, long limit, int shardCount) {
    if (limit < 0 || connections + OVERHEAD <= limit) {
      return null;
    }
    long fit = Math.max(1, limit - OVERHEAD);
    long processes = (connections * (long) shardCount + fit - 1) / fit;
    return "this process may open at most " + limit + " files (RLIMIT_NOFILE, the OS cap: it cannot be raised here), so it can hold about "
        + fit + " connections, not " + connections + ". Use several processes: --processes " + processes
        + " (this command starts them) or run " + processes + " commands with --shard 0/" + processes + " ... --shard "
        + (processes - 1) + "/" + processes + " and the same other flags.";
  }
}
