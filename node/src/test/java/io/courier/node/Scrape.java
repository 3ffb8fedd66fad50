package io.courier.node;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/** One scrape of a node's Prometheus endpoint, with lookups by series name and label fragments. */
record Scrape(String text) {
  static final List<String> NO_LABELS = List.of();

  /** GET /metrics on {@code port} (blocking; test thread only). */
  static Scrape of(Vertx vertx, int port) {
    HttpClient http = vertx.createHttpClient();
    try {
      String body = http.request(HttpMethod.GET, port, "127.0.0.1", "/metrics")
          .compose(req -> req.send().compose(r -> r.body())).await().toString();
      return new Scrape(body);
    } finally {
      http.close();
    }
  }

  /** Scrapes until {@code condition} holds; fails after {@code timeout} with the courier series seen. */
  static Scrape await(Vertx vertx, int port, Duration timeout, Predicate<Scrape> condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Scrape s = of(vertx, port);
    while (!condition.test(s)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("metrics never met the condition:\n" + String.join("\n", s.courierLines()));
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
      s = of(vertx, port);
    }
    return s;
  }

  List<String> lines() {
    return text.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).toList();
  }

  List<String> courierLines() {
    return lines().stream().filter(l -> l.startsWith("courier_")).toList();
  }

  /** Series of {@code name} whose labels contain every fragment. */
  List<String> series(String name, String... fragments) {
    return lines().stream().filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
        .filter(l -> java.util.Arrays.stream(fragments).allMatch(l::contains)).toList();
  }

  boolean has(String name, String... fragments) {
    return !series(name, fragments).isEmpty();
  }

  /** Sum of the matching series (0 when there is none). */
  double value(String name, String... fragments) {
    return series(name, fragments).stream()
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  /** Every series name in the scrape. */
  java.util.Set<String> names() {
    java.util.Set<String> out = new java.util.HashSet<>();
    for (String l : lines()) {
      int end = l.indexOf('{');
      out.add(end > 0 ? l.substring(0, end) : l.substring(0, l.indexOf(' ')));
    }
    return out;
  }
}
