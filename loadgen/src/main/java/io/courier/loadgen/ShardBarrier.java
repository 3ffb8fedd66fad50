package io.courier.loadgen;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A start line shared by the load-generator processes of one run (--processes): each writes a file
 * named for itself into a directory the parent made, then waits until all N have. Files, because the
 * shards are separate JVMs with nothing else in common, and a run of 100,000 connections spends
 * minutes opening them: without it the first shards' traffic would meet the last ones' handshakes.
 */
final class ShardBarrier {
  /** Opening 100,000 connections on this machine takes about 10 minutes; three times that is a stuck shard. */
  static final Duration DEADLINE = Duration.ofMinutes(30);

  private ShardBarrier() {}

  /**
   * Marks shard {@code index} as arrived at {@code name} and waits for all {@code count}; returns
   * the milliseconds waited, or -1 when {@code deadline} passed first (the caller goes on, and its
   * result says so).
   */
  static long arriveAndWait(Path dir, String name, int index, int count, Duration deadline) {
    long start = System.nanoTime();
    try {
      Files.writeString(dir.resolve(name + "." + index), "");
    } catch (IOException e) {
      throw new IllegalStateException("cannot write to the shard barrier " + dir + ": " + e.getMessage(), e);
    }
    long end = start + deadline.toNanos();
    while (arrived(dir, name) < count) {
      if (System.nanoTime() > end) {
        return -1;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
  }

  static int arrived(Path dir, String name) {
    try (var files = Files.list(dir)) {
      return (int) files.filter(p -> p.getFileName().toString().startsWith(name + ".")).count();
    } catch (IOException e) {
      return 0;
    }
  }
}
