package io.courier.loadgen;

import io.courier.tokens.TokenIssuer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The connections of one run: one WebSocket client per loopback source address (127.0.0.2,
 * 127.0.0.3, ...), so the ephemeral ports of one address (about 28,000) never bound the count,
 * and every user's token minted up front.
 */
final class Fleet {
  final Vertx vertx;
  final List<Conn> conns = new ArrayList<>();
  final List<String> sourceAddresses = new ArrayList<>();
  /** The measured window's delivery check ({@code phases.measured}). */
  final Delivery delivery;
  final Phases phases;
  final Conn.Counters counters = new Conn.Counters();
  final String runId = UUID.randomUUID().toString().substring(0, 8);
  private final List<WebSocketClient> clients = new ArrayList<>();
  /** One ack batch per context the connections run on. */
  private final java.util.Map<io.vertx.core.Context, AckBatch> ackBatches = new java.util.IdentityHashMap<>();

  Fleet(Vertx vertx, Options o, String host, int port, boolean raw, String secret) {
    this.vertx = vertx;
    int n = o.localConnections();
    phases = new Phases(n, o.warmup.compareTo(java.time.Duration.ZERO) > 0);
    delivery = phases.measured;
    boolean ipv4 = !host.contains(":");
    int addresses = ipv4 ? Math.max(o.sourceAddresses, (n + o.perAddress - 1) / o.perAddress) : 1;
    int perClient = (n + addresses - 1) / addresses;
    for (int a = 0; a < addresses; a++) {
      WebSocketClientOptions wo = new WebSocketClientOptions()
          .setMaxConnections(perClient + 16)
          .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, o.connectTimeout.toMillis()))
          .setMaxFrameSize(65536).setMaxMessageSize(1 << 20);
      if (ipv4) {
        // Shards start at different addresses so several processes spread over more of 127/8.
        String source = sourceAddress(1 + a + o.shardIndex * addresses);
        wo.setLocalAddress(source);
        sourceAddresses.add(source);
      } else {
        sourceAddresses.add("::1");
      }
      clients.add(vertx.createWebSocketClient(wo));
    }
    Duration ttl = o.warmup.plus(o.duration).plus(o.drain).plus(Duration.ofMinutes(15));
    List<Conn.Target> targets = new ArrayList<>();
    if (raw || o.ports.isEmpty()) {
      targets.add(new Conn.Target(host, port, raw));
    } else {
      o.ports.forEach(p -> targets.add(new Conn.Target(host, p, false)));
    }
    // One context per event loop, shared by its connections (getOrCreateContext from this thread
    // would give every connection a context of its own, all on one sticky event loop): the
    // connections spread over every loop, and a scheduler tick or an ack flush is one task per loop.
    List<io.vertx.core.Context> contexts = new ArrayList<>();
    for (int l = 0; l < Math.max(1, Runtime.getRuntime().availableProcessors()); l++) {
      contexts.add(((io.vertx.core.internal.VertxInternal) vertx).createEventLoopContext());
    }
    for (int i = 0; i < n; i++) {
      Conn.Target target = targets.get(i % targets.size());
      String user = "lg-" + runId + "-" + o.shardIndex + "-" + i;
      String token = raw ? "" : TokenIssuer.issue(secret, user, ttl, List.of("lg-*"));
      io.vertx.core.Context ctx = contexts.get(i % contexts.size());
      AckBatch acks = ackBatches.computeIfAbsent(ctx, AckBatch::new);
      conns.add(new Conn(i, user, token, ctx, clients.get(i / perClient), target, phases, counters, acks));
    }
  }

  /** The k-th source address, k >= 1: 127.0.0.2 ... 127.0.0.254, then 127.0.1.1 and on. */
  static String sourceAddress(int k) {
    return "127.0." + (k / 254) + "." + (k % 254 + 1);
  }

  /** Result of opening a batch of connections. */
  record Opened(int ok, int failed, long nanos) {
    double perSecond() {
      return nanos == 0 ? 0 : ok * 1e9 / nanos;
    }
  }

  /** Opens {@code list} with at most {@code concurrency} handshakes in flight; never fails, counts. */
  Future<Opened> open(List<Conn> list, int concurrency) {
    Promise<Opened> done = Promise.promise();
    long start = System.nanoTime();
    AtomicInteger next = new AtomicInteger();
    AtomicInteger finished = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    if (list.isEmpty()) {
      return Future.succeededFuture(new Opened(0, 0, 0));
    }
    Runnable[] step = new Runnable[1];
    step[0] = () -> {
      int i = next.getAndIncrement();
      if (i >= list.size()) {
        return;
      }
      list.get(i).connect().onComplete(ar -> {
        if (ar.failed()) {
          failed.incrementAndGet();
        }
        if (finished.incrementAndGet() == list.size()) {
          done.complete(new Opened(list.size() - failed.get(), failed.get(), System.nanoTime() - start));
        } else {
          step[0].run();
        }
      });
    };
    for (int k = 0; k < Math.min(concurrency, list.size()); k++) {
      step[0].run();
    }
    return done.future();
  }

  /**
   * Completes once every task queued on every connection's context before this call has run (each
   * context runs its tasks in order): after it, no send the scheduler handed out is still uncounted.
   */
  Future<Void> barrier() {
    List<Future<Void>> fs = new ArrayList<>();
    for (Conn c : conns) {
      Promise<Void> p = Promise.promise();
      c.run(p::complete);
      fs.add(p.future());
    }
    return Future.join(fs).mapEmpty();
  }

  Future<Void> closeAll() {
    List<Future<Void>> fs = new ArrayList<>();
    for (Conn c : conns) {
      fs.add(c.close());
    }
    return Future.join(fs).transform(ar -> {
      List<Future<Void>> cs = new ArrayList<>();
      for (WebSocketClient c : clients) {
        cs.add(c.close());
      }
      return Future.join(cs).mapEmpty();
    });
  }
}
