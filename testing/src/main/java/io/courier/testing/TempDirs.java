package io.courier.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Temporary directories of fixtures (a redis-server's AOF and log), removed with everything in them
 * when the test JVM exits. Not when the fixture closes: tests restart a server on the same
 * directory to see what it kept. Without this every suite run left a directory per redis-server
 * behind.
 */
final class TempDirs {
  private static final List<Path> CREATED = new ArrayList<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(TempDirs::deleteAll, "courier-temp-dirs"));
  }

  private TempDirs() {}

  static synchronized Path create(String prefix) throws IOException {
    Path d = Files.createTempDirectory(prefix);
    CREATED.add(d);
    return d;
  }

  private static synchronized void deleteAll() {
    for (Path d : CREATED) {
      try (Stream<Path> all = Files.walk(d)) {
        all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException | RuntimeException e) {
        // Best effort at exit: a file still held open stays, as before.
      }
    }
  }
}
