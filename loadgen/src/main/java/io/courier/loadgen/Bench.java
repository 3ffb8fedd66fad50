package io.courier.loadgen;

import io.courier.protocol.ClientFrames;
import io.courier.protocol.FrameTypes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.HdrHistogram.Histogram;

/** Runs one scenario against one target and returns its result (see {@link Report} for the shape). */
final class Bench {
  private final Options o;
  private final String secret;
  private final PrintStream err;
  private final Vertx vertx;
  private final ServerProbe probe;
  private final List<ServerProbe.Sample> samples = Collections.synchronizedList(new ArrayList<>());
  private volatile String phase = "connect";
  private final long startNanos = System.nanoTime();
  /** Sends handed to connections by the scheduler (each becomes exactly one counted `sent`). */
  private final AtomicLong dispatched = new AtomicLong();

  Bench(Options o, String secret, PrintStream err) {
    this.o = o;
    this.secret = secret;
    this.err = err;
    this.probe = new ServerProbe(o.serverPid, o.metricsUrl, o.liveHeap);
    this.vertx = LoadVertx.create();
  }

  JsonObject run() {
    try {
      JsonObject baseline = null;
      if (o.baselinePort > 0 && (o.scenario.equals("chat") || o.scenario.equals("soak"))) {
        baseline = chat(new Fleet(vertx, o, o.host, o.baselinePort, true, secret), true);
      }
      JsonObject result = switch (o.scenario) {
        case "idle" -> idle(new Fleet(vertx, o, o.host, o.port, false, secret));
        case "chat", "soak" -> chat(new Fleet(vertx, o, o.host, o.port, o.raw, secret), o.raw);
        case "reconnect-storm" -> storm(new Fleet(vertx, o, o.host, o.port, false, secret));
        case "room" -> room(new Fleet(vertx, o, o.host, o.port, false, secret));
        case "reach" -> reach(new Fleet(vertx, o, o.host, o.port, false, secret));
        case "slow-consumers" -> slowConsumers(new Fleet(vertx, o, o.host, o.port, false, secret));
        default -> throw new Options.UsageException("no such scenario " + o.scenario);
      };
      if (baseline != null) {
        result.put("baseline", baseline);
        double raw = baseline.getJsonObject("messages").getDouble("deliveredPerSec");
        double ours = result.getJsonObject("messages").getDouble("deliveredPerSec");
        result.put("ratioToRaw", raw > 0 ? Math.round(ours / raw * 1000) / 1000.0 : null);
      }
      return result;
    } finally {
      vertx.close().await();
    }
  }

  private Fleet.Opened openAll(Fleet fleet) {
    samples.add(probe.sample(0));
    long progress = startProgress(fleet);
    try {
      phase = "connect";
      Fleet.Opened opened = fleet.open(fleet.conns, o.connectConcurrency).await();
      if (o.barrier != null) {
        phase = "wait-for-shards";
        barrierWaitMs = ShardBarrier.arriveAndWait(o.barrier, "open-" + (opens++), o.shardIndex, o.shardCount,
            ShardBarrier.DEADLINE);
      }
      return opened;
    } finally {
      vertx.cancelTimer(progress);
    }
  }

  /** Times openAll ran (a chat with --baseline-port opens two fleets, each with its own barrier). */
  private int opens;
  /** How long this shard waited for the others after opening (-1: they did not all arrive in time). */
  private long barrierWaitMs;

  /**
   * Every user is sent exactly one message, paced at --rate, by the user after it in this
   * process's list (user i+1 sends to user i), so with --ports every message crosses to another
   * node; with --processes, sending starts only once every process holds its connections, so every
   * message is sent while all N users are connected. Passes when all N users got theirs exactly
   * once: each one is reachable.
   */
  private JsonObject reach(Fleet fleet) {
    Fleet.Opened opened = openAll(fleet);
    long progress = startProgress(fleet);
    phase = "reach";
    List<Conn> conns = fleet.conns;
    int n = conns.size();
    double rate = o.localRate();
    // One millisecond over n / rate, so that rate x window (rounded down) is n even with the rounding of doubles.
    long nanos = (long) Math.ceil(n / rate * 1e9) + 1_000_000;
    String padding = "x".repeat(Math.max(0, o.bodyBytes - 40));
    long sendNanos = drive(fleet, rate, nanos, null, k -> k < n ? conns.get((int) k) : null,
        (from, rnd) -> from.send(conns.get((from.index + n - 1) % n), padding), List.of(), 0);
    phase = "drain";
    drain(fleet);
    samples.add(probe.sample(fleet.counters.open.get()));
    vertx.cancelTimer(progress);
    fleet.closeAll().await();
    JsonObject r = Report.build(o, fleet, opened, samples, sendNanos, rate, false);
    // Each user is sent one message, so every user reached means none is missing one.
    long reached = fleet.delivery.recipientsReached();
    r.put("reach", new JsonObject().put("users", n).put("reached", reached).put("barrierWaitMs", barrierWaitMs));
    if (reached != n || barrierWaitMs < 0) {
      r.put("ok", false);
    }
    return r;
  }

  private JsonObject idle(Fleet fleet) {
    Fleet.Opened opened = openAll(fleet);
    long progress = startProgress(fleet);
    phase = "hold";
    holdAndSample(fleet, o.duration.toNanos(), () -> false);
    ServerProbe.Sample end = probe.sample(fleet.counters.open.get());
    samples.add(end);
    vertx.cancelTimer(progress);
    fleet.closeAll().await();
    return Report.build(o, fleet, opened, samples, o.duration.toNanos(), 0, false);
  }

  private JsonObject chat(Fleet fleet, boolean raw) {
    Fleet.Opened opened = openAll(fleet);
    long progress = startProgress(fleet);
    long cpuBefore = LoadCpu.processCpuNanos();
    long warmupNanos = warmUp(fleet, raw);
    phase = raw ? "chat(raw)" : "chat";
    long sendNanos = drive(fleet, o.localRate(), o.duration.toNanos(), null);
    phase = "drain";
    drain(fleet);
    long cpuNanos = LoadCpu.processCpuNanos() - cpuBefore;
    samples.add(probe.sample(fleet.counters.open.get()));
    vertx.cancelTimer(progress);
    fleet.closeAll().await();
    JsonObject r = Report.build(o, fleet, opened, samples, sendNanos, o.localRate(), raw);
    if (fleet.phases.warmup != null) {
      Report.addWarmup(r, fleet.phases.warmup, warmupNanos);
    }
    r.put("loadgen", LoadCpu.toJson(cpuNanos, fleet));
    if (o.scenario.equals("soak")) {
      r.put("leakCheck", Report.leakCheck(samples));
    }
    return r;
  }

  /**
   * --warmup: the same load for that long before the measured window, so the server's JIT and
   * caches are warm when measuring starts. Its messages are checked like the others (every one
   * delivered once, see {@link Phases}) but reported apart; the server samples taken meanwhile are
   * dropped, except the one before connecting (the memory baseline). The window starts right after,
   * without waiting for the warm-up's messages: those still in flight finish during the window and
   * count for the warm-up. Returns the warm-up's sending time (0 without one).
   */
  private long warmUp(Fleet fleet, boolean raw) {
    if (fleet.phases.warmup == null) {
      return 0;
    }
    phase = raw ? "warmup(raw)" : "warmup";
    int keep = samples.size();
    long nanos = drive(fleet, o.localRate(), o.warmup.toNanos(), null);
    // Every send handed out during the warm-up is made (and marked) before the window begins.
    fleet.barrier().await();
    fleet.phases.endWarmup();
    synchronized (samples) {
      samples.subList(keep, samples.size()).clear();
    }
    return nanos;
  }

  private JsonObject storm(Fleet fleet) {
    Fleet.Opened opened = openAll(fleet);
    long progress = startProgress(fleet);
    List<Conn> shuffled = new ArrayList<>(fleet.conns);
    Collections.shuffle(shuffled, new Random(42));
    List<Conn> dropped = shuffled.subList(0, Math.min(o.localDrop(), shuffled.size()));
    List<Conn> kept = shuffled.subList(dropped.size(), shuffled.size());
    List<Future<Long>> back = new ArrayList<>();
    AtomicLong dropAt = new AtomicLong();
    phase = "storm";
    // Background traffic (--rate, may be 0) for --duration, with the drop half-way through.
    long sendNanos = drive(fleet, o.localRate(), o.duration.toNanos(), () -> {
      dropAt.set(System.nanoTime());
      for (Conn c : dropped) {
        back.add(c.dropAndReconnect());
      }
      // Each dropped user gets a message while it is away, so coming back includes a real sync.
      for (int i = 0; i < dropped.size() && !kept.isEmpty(); i++) {
        Conn from = kept.get(i % kept.size());
        Conn to = dropped.get(i);
        dispatched.incrementAndGet();
        from.run(() -> from.send(to, ""));
      }
    });
    phase = "reconnect";
    Future<Void> all = Future.join(new ArrayList<>(back)).mapEmpty();
    waitFor(() -> all.isComplete(), o.drain.toNanos() + TimeUnit.SECONDS.toNanos(30));
    Histogram backMs = new Histogram(TimeUnit.HOURS.toMillis(1), 3);
    int ok = 0;
    long lastBack = 0;
    for (Future<Long> f : back) {
      if (f.succeeded()) {
        ok++;
        lastBack = Math.max(lastBack, f.result());
        backMs.recordValue(Math.max(0, TimeUnit.NANOSECONDS.toMillis(f.result() - dropAt.get())));
      }
    }
    phase = "drain";
    drain(fleet);
    samples.add(probe.sample(fleet.counters.open.get()));
    vertx.cancelTimer(progress);
    fleet.closeAll().await();
    JsonObject r = Report.build(o, fleet, opened, samples, sendNanos, o.localRate(), false);
    r.put("reconnect", new JsonObject().put("dropped", dropped.size()).put("back", ok).put("failed", back.size() - ok)
        .put("allBackAndSyncedMs", ok == back.size() && ok > 0 ? TimeUnit.NANOSECONDS.toMillis(lastBack - dropAt.get()) : null)
        .put("p50Ms", backMs.getValueAtPercentile(50)).put("p99Ms", backMs.getValueAtPercentile(99))
        .put("maxMs", backMs.getMaxValue()));
    if (ok != back.size()) {
      r.put("ok", false);
    }
    return r;
  }

  /**
   * Every connection joins one room; then room sends at --rate (each from a random member) for
   * --duration; every member, the sender included, must receive every confirmed one exactly once.
   * Delivered msg/s counts member deliveries, so it is about the offered rate times the members.
   */
  private JsonObject room(Fleet fleet) {
    Fleet.Opened opened = openAll(fleet);
    if (opened.ok() == 0) {
      fleet.closeAll().await();
      throw new ScenarioUnavailable("room: no connection could be opened (" + fleet.counters.lastFailure + ")");
    }
    String room = "lg-" + fleet.runId;
    long progress = startProgress(fleet);
    phase = "join";
    JsonObject refused = membership(fleet, FrameTypes.JOIN, room);
    if (refused != null) {
      vertx.cancelTimer(progress);
      fleet.closeAll().await();
      throw new ScenarioUnavailable("room: the server refused join (" + refused.getString(ClientFrames.CODE) + ": "
          + refused.getString(ClientFrames.MESSAGE) + ")");
    }
    phase = "room";
    String padding = "x".repeat(Math.max(0, o.bodyBytes - 50));
    long sendNanos = drive(fleet, o.localRate(), o.duration.toNanos(), null, (from, rnd) -> from.sendToRoom(room, padding));
    phase = "drain";
    drain(fleet);
    samples.add(probe.sample(fleet.counters.open.get()));
    phase = "leave";
    fleet.conns.forEach(c -> c.run(c::abandonSends));
    fleet.barrier().await();
    membership(fleet, FrameTypes.LEAVE, room);
    vertx.cancelTimer(progress);
    fleet.closeAll().await();
    JsonObject r = Report.build(o, fleet, opened, samples, sendNanos, o.localRate(), false);
    r.put("room", new JsonObject().put("id", room).put("members", fleet.conns.size())
        .put("sendsConfirmed", fleet.delivery.confirmedCount.sum()));
    return r;
  }

  /**
   * Every open connection sends join (or leave) for {@code room}, at most --connect-concurrency at a
   * time; returns the first refusal, or null when every one was answered as asked.
   */
  private JsonObject membership(Fleet fleet, String type, String room) {
    List<Conn> conns = fleet.conns;
    AtomicLong next = new AtomicLong();
    List<JsonObject> refusals = Collections.synchronizedList(new ArrayList<>());
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    AtomicLong finished = new AtomicLong();
    Runnable[] step = new Runnable[1];
    step[0] = () -> {
      int i = (int) next.getAndIncrement();
      if (i >= conns.size()) {
        return;
      }
      conns.get(i).membership(type, room).onComplete(ar -> {
        if (ar.failed()) {
          refusals.add(new JsonObject().put("code", "closed").put("message", ar.cause().getMessage()));
        } else if (FrameTypes.ERROR.equals(ar.result().getString(ClientFrames.TYPE))) {
          refusals.add(ar.result());
        }
        if (finished.incrementAndGet() == conns.size()) {
          done.tryComplete();
        } else {
          step[0].run();
        }
      });
    };
    for (int k = 0; k < Math.min(o.connectConcurrency, conns.size()); k++) {
      step[0].run();
    }
    waitFor(() -> done.future().isComplete(), TimeUnit.SECONDS.toNanos(120));
    if (!done.future().isComplete()) {
      return new JsonObject().put("code", "timeout").put("message", finished.get() + " of " + conns.size()
          + " " + type + "s answered within 120 s");
    }
    return refusals.isEmpty() ? null : refusals.get(0);
  }

  /**
   * Offers {@code rate} msgs/s for {@code nanos}: every 2 ms the messages due by now go out, each
   * from a random open user to a random other user (open loop: a slow server does not slow the
   * offer). {@code halfway} runs once at half time. Returns the sending time.
   */
  private long drive(Fleet fleet, double rate, long nanos, Runnable halfway) {
    return drive(fleet, rate, nanos, halfway, List.of(), 0);
  }

  /**
   * As above, and besides {@code slowRate} msgs/s from random users of the fleet to random
   * {@code slowUsers} (outside the fleet; confirmed, never expected to arrive during the run).
   */
  private long drive(Fleet fleet, double rate, long nanos, Runnable halfway, List<String> slowUsers, double slowRate) {
    String padding = "x".repeat(Math.max(0, o.bodyBytes - 40));
    List<Conn> conns = fleet.conns;
    int k = o.crossNode ? o.ports.size() : 1;
    return drive(fleet, rate, nanos, halfway, (from, rnd) -> {
      int n = conns.size();
      Conn to;
      if (k > 1) {
        to = conns.get(onAnotherPort(from.index, n, k, rnd));
      } else {
        to = conns.get((from.index + 1 + rnd.nextInt(n - 1)) % n);
      }
      from.send(to, padding);
    }, slowUsers, slowRate);
  }

  /**
   * A random recipient index connected to another port than {@code from}: connection i is on
   * ports[i % k], so pick another column (i % k) and any row in it.
   */
  static int onAnotherPort(int from, int n, int k, java.util.Random rnd) {
    int column = (from % k + 1 + rnd.nextInt(k - 1)) % k;
    int rows = (n - column + k - 1) / k;
    return rnd.nextInt(rows) * k + column;
  }

  /** What one due message does: {@code from} sends it (called on from's context). */
  interface Sender {
    void send(Conn from, java.util.Random rnd);
  }

  private long drive(Fleet fleet, double rate, long nanos, Runnable halfway, Sender sender) {
    return drive(fleet, rate, nanos, halfway, sender, List.of(), 0);
  }

  /** Which connection sends the k-th due message (null: none, skip it). */
  interface Picker {
    Conn pick(long k);
  }

  private long drive(Fleet fleet, double rate, long nanos, Runnable halfway, Sender sender, List<String> slowUsers,
                     double slowRate) {
    List<Conn> conns = fleet.conns;
    return drive(fleet, rate, nanos, halfway, k -> conns.get(ThreadLocalRandom.current().nextInt(conns.size())), sender,
        slowUsers, slowRate);
  }

  private long drive(Fleet fleet, double rate, long nanos, Runnable halfway, Picker picker, Sender sender,
                     List<String> slowUsers, double slowRate) {
    String padding = "x".repeat(Math.max(0, o.bodyBytes - 40));
    List<Conn> conns = fleet.conns;
    dispatched.set(0);
    long start = System.nanoTime();
    long[] issued = {0};
    long[] issuedSlow = {0};
    boolean[] halfDone = {halfway == null};
    long nextSample = start + o.interval.toNanos();
    Object lock = new Object();
    boolean[] stopped = {false};
    long timer = vertx.setPeriodic(2, t -> {
      synchronized (lock) {
        if (!stopped[0]) {
          tick(conns, rate, nanos, start, issued, halfDone, halfway, picker, sender);
          tickSlow(conns, slowUsers, slowRate, nanos, start, issuedSlow, padding);
        }
      }
    });
    try {
      while (System.nanoTime() - start < nanos) {
        sleepMs(Math.min(100, Math.max(1, (start + nanos - System.nanoTime()) / 1_000_000)));
        if (System.nanoTime() >= nextSample) {
          samples.add(probe.sample(fleet.counters.open.get()));
          nextSample += o.interval.toNanos();
        }
      }
    } finally {
      vertx.cancelTimer(timer);
      synchronized (lock) {
        // A last tick at the window's end: the 2 ms timer's final run may come just before it, and
        // the offer is exactly rate x duration. A tick running now has finished; none starts after.
        tick(conns, rate, nanos, start, issued, halfDone, halfway, picker, sender);
        tickSlow(conns, slowUsers, slowRate, nanos, start, issuedSlow, padding);
        stopped[0] = true;
      }
    }
    return System.nanoTime() - start;
  }

  private void tick(List<Conn> conns, double rate, long nanos, long start, long[] issued, boolean[] halfDone, Runnable halfway,
      Picker picker, Sender sender) {
    int n = conns.size();
    long now = System.nanoTime();
    long due = (long) (rate * Math.min(now - start, nanos) / 1e9) - issued[0];
    // A direct message needs another user; a room message needs only its sender.
    int min = o.scenario.equals("room") ? 1 : 2;
    // The tick's sends, one task per context rather than one per send: each context still runs
    // them in the order they were picked, after everything queued on it before (Fleet.barrier).
    java.util.Map<io.vertx.core.Context, List<Conn>> batches = new java.util.IdentityHashMap<>();
    for (long k = 0; k < due && n >= min; k++) {
      Conn from = picker.pick(issued[0] + k);
      if (from == null) {
        continue;
      }
      dispatched.incrementAndGet();
      batches.computeIfAbsent(from.context(), c -> new ArrayList<>()).add(from);
    }
    batches.forEach((ctx, froms) -> ctx.runOnContext(v -> {
      ThreadLocalRandom rnd = ThreadLocalRandom.current();
      for (Conn from : froms) {
        sender.send(from, rnd);
      }
    }));
    issued[0] += Math.max(0, due);
    if (!halfDone[0] && now - start >= nanos / 2) {
      halfDone[0] = true;
      halfway.run();
    }
  }

  private void tickSlow(List<Conn> conns, List<String> slowUsers, double rate, long nanos, long start, long[] issued,
      String padding) {
    if (slowUsers.isEmpty() || rate <= 0 || conns.isEmpty()) {
      return;
    }
    long due = (long) (rate * Math.min(System.nanoTime() - start, nanos) / 1e9) - issued[0];
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    for (long k = 0; k < due; k++) {
      Conn from = conns.get(rnd.nextInt(conns.size()));
      String to = slowUsers.get(rnd.nextInt(slowUsers.size()));
      dispatched.incrementAndGet();
      from.run(() -> from.sendUntracked(to, padding));
    }
    issued[0] += Math.max(0, due);
  }

  /**
   * Chat among {@code --connections} users while {@code --slow} clients that never read get
   * {@code --slow-rate} msgs/s: the server must cut the slow ones (1013) and keep its memory bounded
   * while the others' chat goes on. Reports the server's RSS, heap and queued bytes over time and
   * its own count of cuts.
   */
  private JsonObject slowConsumers(Fleet fleet) {
    SlowFleet slow = new SlowFleet(vertx, o, fleet.runId, secret);
    Fleet.Opened opened = openAll(fleet);
    phase = "slow-connect";
    long progress = startProgress(fleet);
    slow.open(o.connectConcurrency).await();
    samples.add(probe.sample(fleet.counters.open.get() + slow.opened.get()));
    String before = probe.scrape();
    phase = "slow-consumers";
    long sendNanos = drive(fleet, o.localRate(), o.duration.toNanos(), null, slow.users, o.localSlowRate());
    phase = "drain";
    drain(fleet);
    samples.add(probe.sample(fleet.counters.open.get()));
    String after = probe.scrape();
    vertx.cancelTimer(progress);
    slow.closeAll().await();
    fleet.closeAll().await();
    JsonObject r = Report.build(o, fleet, opened, samples, sendNanos, o.localRate(), false);
    JsonObject s = new JsonObject().put("requested", slow.users.size()).put("opened", slow.opened.get())
        .put("failed", slow.failed.get()).put("lastFailure", slow.lastFailure)
        .put("offeredRate", o.localSlowRate()).put("confirmed", fleet.delivery.untrackedConfirmed.sum());
    if (before != null && after != null) {
      s.put("cutOutbound", delta(before, after, "courier_slow_consumer_closes_total", "reason=\"outbound\""))
          .put("cutUnacked", delta(before, after, "courier_slow_consumer_closes_total", "reason=\"unacked\""))
          .put("closedIdle", delta(before, after, "courier_idle_closes_total", ""));
    }
    synchronized (samples) {
      s.put("peakRssBytes", samples.stream().mapToLong(ServerProbe.Sample::rssBytes).max().orElse(-1))
          .put("peakHeapBytes", samples.stream().mapToLong(ServerProbe.Sample::heapBytes).max().orElse(-1))
          .put("peakQueuedBytes", samples.stream().mapToLong(ServerProbe.Sample::queuedBytes).max().orElse(-1));
    }
    r.put("slow", s);
    if (slow.failed.get() > 0) {
      r.put("ok", false);
    }
    return r;
  }

  private static long delta(String before, String after, String name, String fragment) {
    return (long) (Math.max(0, ServerProbe.sum(after, name, fragment)) - Math.max(0, ServerProbe.sum(before, name, fragment)));
  }

  /**
   * Waits (at most --drain) until every send is confirmed and every confirmed message delivered,
   * the warm-up's included.
   */
  private void drain(Fleet fleet) {
    Delivery d = fleet.delivery;
    // Sends handed to connections just before the scheduler stopped must be counted before the
    // check below can mean anything (otherwise it may pass on a count that is still growing).
    fleet.barrier().await();
    waitFor(() -> d.sent.sum() >= dispatched.get() && Phases.settled(d) && Phases.settled(fleet.phases.warmup),
        o.drain.toNanos());
  }

  private void holdAndSample(Fleet fleet, long nanos, BooleanSupplier stop) {
    long start = System.nanoTime();
    long nextSample = start + Math.min(o.interval.toNanos(), nanos / 2);
    while (System.nanoTime() - start < nanos && !stop.getAsBoolean()) {
      sleepMs(Math.min(100, Math.max(1, (start + nanos - System.nanoTime()) / 1_000_000)));
      if (System.nanoTime() >= nextSample) {
        samples.add(probe.sample(fleet.counters.open.get()));
        nextSample += o.interval.toNanos();
      }
    }
  }

  private static void waitFor(BooleanSupplier condition, long nanos) {
    long deadline = System.nanoTime() + nanos;
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      sleepMs(20);
    }
  }

  private static void sleepMs(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** The live progress line, once a second on stderr. */
  private long startProgress(Fleet fleet) {
    long[] last = {0};
    return vertx.setPeriodic(1000, t -> {
      Delivery d = fleet.phases.current();
      if (o.quiet) {
        d.interval();
        return;
      }
      Histogram h = d.interval();
      long recv = d.received.sum();
      err.printf("[%s %s %ds] open %d/%d fail %d | sent %d confirmed %d received %d (+%d/s) dup %d | p50 %.1fms p99 %.1fms%n",
          o.scenario, phase, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNanos), fleet.counters.open.get(),
          fleet.conns.size(), fleet.counters.connectFailures.sum(), d.sent.sum(), d.confirmedCount.sum(), recv,
          recv - last[0], d.duplicated.sum(), h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(99) / 1e6);
      last[0] = recv;
    });
  }

  /** The scenario cannot run against this server (exit status 3, message on stderr). */
  static final class ScenarioUnavailable extends RuntimeException {
    ScenarioUnavailable(String message) {
      super(message);
    }
  }

  static JsonArray toJson(List<ServerProbe.Sample> samples) {
    JsonArray a = new JsonArray();
    synchronized (samples) {
      samples.forEach(s -> a.add(s.toJson()));
    }
    return a;
  }
}
