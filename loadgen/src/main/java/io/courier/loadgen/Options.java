package io.courier.loadgen;

import io.courier.tokens.TokenIssuer;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The flags of one `courier bench` run, parsed and checked before anything connects. */
final class Options {
  static final Set<String> SCENARIOS = Set.of("idle", "chat", "room", "reconnect-storm", "soak", "forwarder",
      "slow-consumers", "reach");
  static final Duration MAX_DURATION = Duration.ofHours(72);
  static final int MAX_CONNECTIONS = 1_000_000;
  static final int MAX_RATE = 1_000_000;

  String scenario;
  String host = "127.0.0.1";
  int port = 8080;
  /** Several nodes' ports: connection i goes to ports[i % k] (empty: every connection to port). */
  List<Integer> ports = List.of();
  /** chat/soak with several ports: every message goes to a user connected to another port. */
  boolean crossNode;
  int connections = 100;
  double rate = 100;
  Duration duration;
  Duration drain = Duration.ofSeconds(10);
  Duration warmup = Duration.ZERO;
  Duration interval = Duration.ofSeconds(10);
  Duration connectTimeout = Duration.ofSeconds(10);
  int perAddress = 10_000;
  int sourceAddresses = 0;
  int connectConcurrency = 256;
  int drop = -1;
  int roomMembers = 10;
  int bodyBytes = 64;
  int slow = 1000;
  double slowRate = 1000;
  boolean raw;
  int baselinePort;
  int serverPid;
  String metricsUrl;
  String secret;
  Path out;
  String label;
  int shardIndex = 0;
  int shardCount = 1;
  int processes = 1;
  boolean quiet;
  /** Before sending, wait until every shard has opened its connections (set by --processes). */
  Path barrier;
  /** Force a full GC in the server before each sample, so heap samples are live data (soak, idle). */
  boolean liveHeap;

  static Options parse(String[] args) {
    if (args.length == 0 || args[0].startsWith("-")) {
      throw new UsageException("name a scenario: " + String.join(", ", new java.util.TreeSet<>(SCENARIOS)));
    }
    Options o = new Options();
    o.scenario = args[0].toLowerCase(Locale.ROOT);
    if (!SCENARIOS.contains(o.scenario)) {
      throw new UsageException("unknown scenario '" + args[0] + "' (known: " + String.join(", ", new java.util.TreeSet<>(SCENARIOS)) + ")");
    }
    for (int i = 1; i < args.length; i++) {
      String flag = args[i];
      if (flag.equals("--raw")) {
        o.raw = true;
        continue;
      }
      if (flag.equals("--cross-node")) {
        o.crossNode = true;
        continue;
      }
      if (flag.equals("--quiet")) {
        o.quiet = true;
        continue;
      }
      if (flag.equals("--live-heap")) {
        o.liveHeap = true;
        continue;
      }
      if (i + 1 >= args.length) {
        throw new UsageException(flag + " needs a value");
      }
      String v = args[++i];
      switch (flag) {
        case "--host" -> o.host = v;
        case "--port" -> o.port = intIn(flag, v, 1, 65535);
        case "--ports" -> o.ports = java.util.Arrays.stream(v.split(",")).map(String::trim)
            .map(p -> intIn(flag, p, 1, 65535)).toList();
        case "--connections", "-n" -> o.connections = intIn(flag, v, 1, MAX_CONNECTIONS);
        case "--rate" -> o.rate = doubleIn(flag, v, 0, MAX_RATE);
        case "--duration" -> o.duration = duration(flag, v);
        case "--drain" -> o.drain = duration(flag, v);
        case "--warmup" -> o.warmup = duration(flag, v);
        case "--interval" -> o.interval = duration(flag, v);
        case "--connect-timeout" -> o.connectTimeout = duration(flag, v);
        case "--per-address" -> o.perAddress = intIn(flag, v, 1, 28_000);
        case "--source-addresses" -> o.sourceAddresses = intIn(flag, v, 1, 254);
        case "--connect-concurrency" -> o.connectConcurrency = intIn(flag, v, 1, 10_000);
        case "--drop" -> o.drop = intIn(flag, v, 1, MAX_CONNECTIONS);
        case "--room-members" -> o.roomMembers = intIn(flag, v, 1, 100_000);
        case "--body-bytes" -> o.bodyBytes = intIn(flag, v, 0, 60_000);
        case "--slow" -> o.slow = intIn(flag, v, 1, MAX_CONNECTIONS);
        case "--slow-rate" -> o.slowRate = doubleIn(flag, v, 0, MAX_RATE);
        case "--baseline-port" -> o.baselinePort = intIn(flag, v, 1, 65535);
        case "--server-pid" -> o.serverPid = intIn(flag, v, 1, Integer.MAX_VALUE);
        case "--metrics-url" -> o.metricsUrl = v;
        case "--secret" -> o.secret = v;
        case "--out" -> o.out = Path.of(v);
        case "--label" -> o.label = v;
        case "--shard" -> o.shard(v);
        case "--barrier" -> o.barrier = Path.of(v);
        case "--processes" -> o.processes = intIn(flag, v, 1, 64);
        default -> throw new UsageException("unknown option " + flag);
      }
    }
    o.check();
    return o;
  }

  private void shard(String v) {
    String[] p = v.split("/");
    if (p.length != 2) {
      throw new UsageException("--shard wants i/N (e.g. 0/4), got '" + v + "'");
    }
    shardCount = intIn("--shard N", p[1], 1, 64);
    shardIndex = intIn("--shard i", p[0], 0, shardCount - 1);
  }

  private void check() {
    if (scenario.equals("forwarder")) {
      requireLoopback(host);
      return;
    }
    if (scenario.equals("reach")) {
      if (connections < 2 * Math.max(processes, shardCount)) {
        throw new UsageException("reach needs at least 2 connections per process (every user is sent one message by another)");
      }
      if (rate <= 0) {
        throw new UsageException("reach needs --rate > 0 (the pace of its one message per user)");
      }
      // Its length is the user count at the offered rate; a --duration given is ignored.
      duration = Duration.ofNanos((long) Math.ceil(connections / rate * 1e9));
    }
    if (liveHeap && serverPid <= 0) {
      throw new UsageException("--live-heap needs --server-pid (it asks that JVM for a full GC with jcmd)");
    }
    if (duration == null) {
      throw new UsageException("--duration is required (e.g. --duration 30s; at most " + MAX_DURATION.toHours() + "h)");
    }
    if ((duration.isZero() || duration.isNegative()) || duration.compareTo(MAX_DURATION) > 0) {
      throw new UsageException("--duration must be > 0 and at most " + MAX_DURATION.toHours() + "h, got " + duration);
    }
    if (drain.isNegative() || drain.compareTo(Duration.ofMinutes(10)) > 0) {
      throw new UsageException("--drain must be between 0 and 10m, got " + drain);
    }
    if (warmup.isNegative() || warmup.compareTo(MAX_DURATION) > 0) {
      throw new UsageException("--warmup must be between 0 and " + MAX_DURATION.toHours() + "h, got " + warmup);
    }
    if (!warmup.isZero() && !scenario.equals("chat") && !scenario.equals("soak")) {
      throw new UsageException("--warmup applies to chat and soak, not " + scenario);
    }
    if (interval.compareTo(Duration.ofMillis(100)) < 0) {
      throw new UsageException("--interval must be at least 100ms, got " + interval);
    }
    if ((connectTimeout.isZero() || connectTimeout.isNegative())) {
      throw new UsageException("--connect-timeout must be > 0");
    }
    if (crossNode && ports.size() < 2) {
      throw new UsageException("--cross-node needs --ports with at least two ports (one per node)");
    }
    if (crossNode && !(scenario.equals("chat") || scenario.equals("soak"))) {
      throw new UsageException("--cross-node applies to chat and soak only");
    }
    if (processes > 1 && shardCount > 1) {
      throw new UsageException("use either --processes N (this process starts the shards) or --shard i/N, not both");
    }
    if (scenario.equals("chat") || scenario.equals("soak") || scenario.equals("slow-consumers")) {
      if (connections < 2) {
        throw new UsageException("chat needs at least 2 connections (users send to each other)");
      }
    }
    if (scenario.equals("room")) {
      // Every connection is a member: the members are the users.
      connections = roomMembers;
      if (processes > 1 || shardCount > 1) {
        throw new UsageException("room runs in one process: every member must join the same room");
      }
    }
    if (scenario.equals("reconnect-storm")) {
      if (drop < 0) {
        drop = connections;
      }
      if (drop > connections) {
        throw new UsageException("--drop " + drop + " is more than --connections " + connections);
      }
    }
    if (raw && !scenario.equals("chat")) {
      throw new UsageException("--raw targets the raw forwarder, which only the chat scenario can use");
    }
    if (raw && baselinePort > 0) {
      throw new UsageException("--raw and --baseline-port together make no sense: --baseline-port adds a forwarder run to a Courier run");
    }
    requireLoopback(host);
    if (metricsUrl != null) {
      java.net.URI u;
      try {
        u = java.net.URI.create(metricsUrl);
      } catch (IllegalArgumentException e) {
        u = null;
      }
      if (u == null || u.getHost() == null || !"http".equals(u.getScheme())) {
        throw new UsageException("--metrics-url must be an http:// URL, got '" + metricsUrl + "'");
      }
      requireLoopback(u.getHost());
    }
  }

  /** The load generator only ever points at this machine: refuse anything outside 127.0.0.0/8, ::1 and localhost. */
  static void requireLoopback(String host) {
    String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    boolean literal = h.matches("[0-9.]+") || h.contains(":");
    if (!h.equalsIgnoreCase("localhost") && !literal) {
      throw new UsageException("refusing target host '" + host + "': the load generator only targets loopback "
          + "(127.0.0.0/8, ::1, localhost)");
    }
    try {
      InetAddress a = InetAddress.getByName(h);
      if (!a.isLoopbackAddress()) {
        throw new UsageException("refusing target host '" + host + "': the load generator only targets loopback "
            + "(127.0.0.0/8, ::1, localhost)");
      }
    } catch (UnknownHostException e) {
      throw new UsageException("cannot resolve target host '" + host + "'");
    }
  }

  /** This process's share of the connections (shards split N as evenly as possible). */
  int localConnections() {
    int base = connections / shardCount;
    return base + (shardIndex < connections % shardCount ? 1 : 0);
  }

  int localSlow() {
    int base = slow / shardCount;
    return base + (shardIndex < slow % shardCount ? 1 : 0);
  }

  double localSlowRate() {
    return slowRate / shardCount;
  }

  int localDrop() {
    int base = drop / shardCount;
    return base + (shardIndex < drop % shardCount ? 1 : 0);
  }

  double localRate() {
    return rate / shardCount;
  }

  static int intIn(String flag, String v, int min, int max) {
    long n;
    try {
      n = Long.parseLong(v.replace("_", "").replace(",", ""));
    } catch (NumberFormatException e) {
      throw new UsageException(flag + " wants a whole number, got '" + v + "'");
    }
    if (n < min || n > max) {
      throw new UsageException(flag + " must be between " + min + " and " + max + ", got " + n);
    }
    return (int) n;
  }

  static double doubleIn(String flag, String v, double min, double max) {
    double d;
    try {
      d = Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new UsageException(flag + " wants a number, got '" + v + "'");
    }
    if (!(d >= min && d <= max)) {
      throw new UsageException(flag + " must be between " + min + " and " + max + ", got " + v);
    }
    return d;
  }

  static Duration duration(String flag, String v) {
    try {
      return TokenIssuer.parseDuration(v);
    } catch (IllegalArgumentException e) {
      throw new UsageException(flag + ": " + e.getMessage());
    }
  }

  /** A bad command line: printed with the usage hint, exit status 2. */
  static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message);
    }
  }
}
