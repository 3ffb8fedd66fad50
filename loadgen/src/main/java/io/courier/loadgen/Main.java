package io.courier.loadgen;

import io.courier.protocol.CourierConfig;
import io.courier.protocol.HttpPaths;
import io.courier.tokens.Secrets;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * `courier bench <scenario> [flags]`: exit status 0 when the run delivered everything, 1 when it
 * lost, duplicated or failed to connect anything, 2 on a bad command line or an OS limit, 3 when
 * the server cannot run the scenario (rooms before rooms exist).
 */
public final class Main {
  static final String USAGE = """
      usage: courier bench <scenario> --duration D [flags]     (all flags: loadgen/README.md)
        scenarios: idle | chat | reach | room | reconnect-storm | soak | slow-consumers | forwarder
        target:    --host 127.0.0.1 --port 8080 [--raw] [--baseline-port P]   (loopback only)
                   --ports P1,P2 [--cross-node] (connection i to the (i mod k)-th port; every message to another port)
        load:      --connections N --rate MSGS_PER_S --duration 30s --drain 10s --body-bytes 64
                   --warmup 30s (chat, soak: the same load first, reported apart)
                   --drop K (reconnect-storm) --room-members M (room)
                   --slow N --slow-rate MSGS_PER_S (slow-consumers)
        sources:   --per-address 10000 --source-addresses A --connect-concurrency 256 --connect-timeout 10s
        server:    --server-pid PID --metrics-url http://127.0.0.1:PORT/metrics --interval 10s
                   --live-heap (full GC in the server before each sample: live heap, for leaks)
        output:    --out result.json --label TEXT --quiet
        scale:     --processes N  |  --shard i/N
        tokens:    --secret S (else COURIER_JWT_SECRET, else the secret file `courier token` uses)
        forwarder: courier bench forwarder --port P [--host 127.0.0.1]   (raw baseline server)""";

  private Main() {}

  public static void main(String[] args) {
    int status;
    try {
      status = run(args, System.out, System.err);
    } catch (Options.UsageException e) {
      System.err.println("courier bench: " + e.getMessage());
      System.err.println(USAGE);
      status = 2;
    } catch (Bench.ScenarioUnavailable e) {
      System.err.println("courier bench: " + e.getMessage());
      status = 3;
    } catch (RuntimeException e) {
      System.err.println("courier bench: failed: " + e);
      status = 1;
    }
    System.out.flush();
    System.err.flush();
    System.exit(status);
  }

  /** Runs one command; returns the exit status. Tests call this directly. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help"))) {
      out.println(USAGE);
      return 0;
    }
    Options o = Options.parse(args);
    if (o.scenario.equals("forwarder")) {
      forwarder(o, err);
      return 0;
    }
    JsonObject result = o.processes > 1 ? Shards.run(o, args, err) : runHere(o, err);
    if (o.out != null) {
      try {
        Path parent = o.out.toAbsolutePath().getParent();
        if (parent != null) {
          Files.createDirectories(parent);
        }
        Files.writeString(o.out, result.encodePrettily() + "\n");
      } catch (IOException e) {
        throw new IllegalStateException("cannot write " + o.out + ": " + e.getMessage(), e);
      }
    }
    if (o.shardCount == 1) {
      out.println(Report.TABLE_HEADER);
      if (result.getJsonObject("baseline") != null) {
        out.println(Report.markdownRow(result.getJsonObject("baseline")));
      }
      out.println(Report.markdownRow(result));
    }
    return result.getBoolean("ok", false) ? 0 : 1;
  }

  static JsonObject runHere(Options o, PrintStream err) {
    int sockets = o.localConnections() + (o.scenario.equals("slow-consumers") ? o.localSlow() : 0);
    String problem = FdLimit.check(sockets, FdLimit.current(), o.shardCount);
    if (problem != null) {
      throw new Options.UsageException(problem);
    }
    String secret = o.raw ? null : secret(o);
    return new Bench(o, secret, err).run();
  }

  static String secret(Options o) {
    if (o.secret != null && !o.secret.isBlank()) {
      return o.secret;
    }
    // Same source as `courier token`: COURIER_JWT_SECRET, else the secret file.
    return Secrets.resolve(CourierConfig.fromEnvironment()).secret();
  }

  private static void forwarder(Options o, PrintStream err) {
    Vertx vertx = Vertx.vertx();
    int port = Forwarder.start(vertx, o.host, o.port).await();
    err.println("courier bench forwarder: raw WebSocket forwarder on ws://" + o.host + ":" + port + HttpPaths.WS + "?user=ID (Ctrl-C stops it)");
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      vertx.close().await();
      stopped.countDown();
    }));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
