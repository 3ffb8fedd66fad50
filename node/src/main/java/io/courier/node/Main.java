package io.courier.node;

import ch.qos.logback.classic.LoggerContext;
import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.protocol.HttpPaths;
import io.courier.protocol.ServiceBridge;
import io.courier.protocol.Setting;
import io.courier.tokens.Secrets;
import io.courier.tokens.TokenIssuer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * Command line: {@code run} a node, mint a dev {@code token}, print the {@code config} table, run the
 * {@code warmup} alone.
 * Every flag is also an environment variable (see {@code config}); flags win.
 */
public final class Main {
  /** Beyond the grace period, time for the 1012 close handshakes and the presence purge. */
  private static final long DRAIN_MARGIN_MS = 30_000;

  private Main() {}

  public static void main(String[] args) {
    if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
      usage();
      System.exit(args.length == 0 ? 2 : 0);
    }
    try {
      switch (args[0]) {
        case "run" -> run(Arrays.copyOfRange(args, 1, args.length));
        case "token" -> token(Arrays.copyOfRange(args, 1, args.length));
        case "config" -> config(args.length > 1 && args[1].equals("--markdown"));
        case "warmup" -> warmup();
        default -> fail("unknown command '" + args[0] + "'");
      }
    } catch (IllegalArgumentException | IllegalStateException e) {
      fail(e.getMessage());
    }
  }

  private static void usage() {
    System.out.println("""
        usage: courier <command> [options]
          run   [--verticles connection,delivery,presence] [--port N] [--node-id ID] [--store hazelcast|redis]
                [--cluster-name NAME] [--cluster-port N] [--cluster-members host:port,...]
                Run a node (all verticles by default, embedded Hazelcast store).
          token <user> [--rooms r1,r2*] [--roles admin,service] [--ttl 1h] [--aud A[,B]] [--iss I]
                [--private-key key.pem [--alg RS256|ES256] [--kid ID]]
                Print a JWT for <user>, signed with the node's secret (COURIER_JWT_SECRET or the dev secret file,
                at least 32 bytes), or with --private-key (PKCS#8 PEM; RSA: RS256, EC P-256: ES256).
                --roles admin: the token may call the /admin endpoints; service: it may use the TCP bridge.
                --ttl may not pass COURIER_JWT_MAX_LIFETIME_S (default 24h): nodes refuse longer tokens.
                --aud / --iss: the token's aud and iss; by default the first entry of COURIER_JWT_AUDIENCE /
                COURIER_JWT_ISSUER when set, none otherwise. A user in the system: namespace is refused.
          config [--markdown]
                Print every setting (environment variable), its default and its current value
                (--markdown: the README's table of defaults).
          warmup
                Run only the warm-up a node runs at start (COURIER_WARMUP_MS, on loopback, nothing left behind)
                and exit: bin/courier runs it once per built jar to record the class-data sharing archive.
        """);
  }

  private static void fail(String message) {
    System.err.println("courier: " + message);
    System.exit(2);
  }

  private static void run(String[] args) {
    CourierConfig cfg = CourierConfig.fromEnvironment();
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      String value = i + 1 < args.length ? args[++i] : null;
      if (value == null) {
        throw new IllegalArgumentException(flag + " needs a value");
      }
      Setting s = switch (flag) {
        case "--verticles" -> ConfigKeys.VERTICLES;
        case "--port" -> ConfigKeys.PORT;
        case "--node-id" -> ConfigKeys.NODE_ID;
        case "--store" -> ConfigKeys.STORE;
        case "--cluster-name" -> ConfigKeys.CLUSTER_NAME;
        case "--cluster-port" -> ConfigKeys.CLUSTER_PORT;
        case "--cluster-members" -> ConfigKeys.CLUSTER_MEMBERS;
        default -> throw new IllegalArgumentException("unknown option " + flag + " (see: courier help)");
      };
      cfg = cfg.with(s, value);
    }
    CourierNode node;
    try {
      // Two minutes for the start itself, plus the warm-up before it.
      long waitMs = 120_000 + Math.max(0, cfg.getLong(ConfigKeys.WARMUP_MS));
      node = CourierNode.start(cfg).toCompletionStage().toCompletableFuture().get(waitMs, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      System.err.println("courier: node failed to start: " + cause.getMessage());
      System.exit(1);
      return;
    }
    System.err.println("courier: node " + node.nodeId() + " running"
        + (node.port() > 0 ? " on ws://" + cfg.get(ConfigKeys.HOST) + ":" + node.port() + HttpPaths.WS : ""));
    long graceMs = cfg.getLong(ConfigKeys.DRAIN_GRACE_MS);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(node, graceMs), "courier-shutdown"));
    // A drain started over POST /admin/drain ends the process the same way as SIGTERM.
    node.drained().onSuccess(v -> new Thread(() -> System.exit(0), "courier-exit").start());
  }

  /**
   * The warm-up alone, then a normal exit (status 0 when it ran): the JVM that recorded which classes it
   * loaded (-XX:ArchiveClassesAtExit) writes its archive then.
   */
  private static void warmup() {
    CourierConfig cfg = CourierConfig.fromEnvironment();
    long ms = Warmup.checkSettings(cfg);
    if (ms == 0) {
      throw new IllegalArgumentException(ConfigKeys.WARMUP_MS.env() + " is 0: nothing to run");
    }
    Warmup.Result r;
    try {
      r = Warmup.run(cfg).toCompletionStage().toCompletableFuture().get(ms + 120_000, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      System.err.println("courier: warm-up failed: " + e);
      System.exit(1);
      return;
    }
    System.err.println("courier: warm-up " + (r.ran() ? "done: " + r.confirmed() + " sends confirmed, " + r.delivered()
        + " delivered in " + r.elapsedMs() + " ms" : "did not run: " + r.note()));
    System.exit(r.ran() ? 0 : 1);
  }

  /**
   * The shutdown hook: drain (bounded by the grace period plus a margin), stop, flush the logs, and
   * exit 0 when all of that went well: a drained node has done its job, even if SIGTERM started it.
   */
  private static void stop(CourierNode node, long graceMs) {
    int status = 0;
    try {
      node.drain().toCompletionStage().toCompletableFuture()
          .get(graceMs + DRAIN_MARGIN_MS, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      System.err.println("courier: drain did not finish cleanly: " + e);
      status = 1;
    }
    try {
      node.closeNow().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println("courier: shutdown did not finish cleanly: " + e);
      status = 1;
    }
    System.err.println("courier: node " + node.nodeId() + " stopped");
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logback) {
      logback.stop();
    }
    System.out.flush();
    System.err.flush();
    Runtime.getRuntime().halt(status);
  }

  private static void token(String[] args) {
    if (args.length == 0 || args[0].startsWith("--")) {
      throw new IllegalArgumentException("usage: courier token <user> [--rooms r1,r2*] [--roles admin,service] [--ttl 1h]"
          + " [--aud A[,B]] [--iss I] [--private-key key.pem [--alg RS256|ES256] [--kid ID]]");
    }
    String user = args[0];
    List<String> audiences = null;
    String issuer = null;
    List<String> rooms = new ArrayList<>();
    List<String> roles = new ArrayList<>();
    Duration ttl = Duration.ofHours(1);
    String privateKey = null;
    String alg = null;
    String kid = null;
    for (int i = 1; i < args.length; i++) {
      String flag = args[i];
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(flag + " needs a value");
      }
      String value = args[++i];
      switch (flag) {
        case "--rooms" -> Arrays.stream(value.split(",")).map(String::trim).filter(r -> !r.isEmpty()).forEach(rooms::add);
        case "--roles" -> Arrays.stream(value.split(",")).map(String::trim).filter(r -> !r.isEmpty()).forEach(roles::add);
        case "--ttl" -> ttl = TokenIssuer.parseDuration(value);
        case "--private-key" -> privateKey = value;
        case "--alg" -> alg = value.toUpperCase(java.util.Locale.ROOT);
        case "--kid" -> kid = value;
        case "--aud" -> audiences = Arrays.stream(value.split(",")).map(String::trim).filter(a -> !a.isEmpty()).toList();
        case "--iss" -> issuer = value.trim();
        default -> throw new IllegalArgumentException("unknown option " + flag);
      }
    }
    for (String role : roles) {
      if (!role.equals(io.courier.protocol.Roles.ADMIN) && !role.equals(io.courier.protocol.Roles.SERVICE)) {
        throw new IllegalArgumentException("unknown role '" + role + "' (known: " + io.courier.protocol.Roles.ADMIN
            + ", " + io.courier.protocol.Roles.SERVICE + ")");
      }
    }
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("--ttl must be positive");
    }
    if (ServiceBridge.isReservedSubject(user)) {
      throw new IllegalArgumentException("user '" + user + "' is in the reserved " + ServiceBridge.SENDER_PREFIX
          + " namespace (services' notifications): nodes refuse such tokens");
    }
    CourierConfig cfg = CourierConfig.fromEnvironment();
    // By default the token is for the audience and from the issuer the nodes here expect.
    if (audiences == null) {
      List<String> configured = cfg.getList(ConfigKeys.JWT_AUDIENCE);
      audiences = configured.isEmpty() ? List.of() : List.of(configured.get(0));
    }
    if (issuer == null) {
      List<String> configured = cfg.getList(ConfigKeys.JWT_ISSUER);
      issuer = configured.isEmpty() ? null : configured.get(0);
    }
    long maxLifetime = cfg.getLong(ConfigKeys.JWT_MAX_LIFETIME_S);
    if (ttl.toSeconds() > maxLifetime) {
      throw new IllegalArgumentException("--ttl " + ttl.toSeconds() + "s is longer than " + ConfigKeys.JWT_MAX_LIFETIME_S.env()
          + " (" + maxLifetime + "s): nodes would refuse the token");
    }
    if (privateKey == null) {
      if (alg != null && !alg.equals("HS256") || kid != null) {
        throw new IllegalArgumentException("--alg and --kid need --private-key (without it the token is HS256)");
      }
      String secret = Secrets.resolve(cfg).secret();
      System.out.println(TokenIssuer.sign(secret,
          TokenIssuer.withAudienceAndIssuer(TokenIssuer.claims(user, ttl, rooms, roles), audiences, issuer)));
      return;
    }
    java.security.PrivateKey key = TokenIssuer.readPrivateKey(java.nio.file.Path.of(privateKey));
    String keyAlg = TokenIssuer.algorithmFor(key);
    if (alg != null && !alg.equals(keyAlg)) {
      throw new IllegalArgumentException("--alg " + alg + " does not match the key in " + privateKey + " (" + keyAlg + ")");
    }
    System.out.println(TokenIssuer.sign(key, kid,
        TokenIssuer.withAudienceAndIssuer(TokenIssuer.claims(user, ttl, rooms, roles), audiences, issuer)));
  }

  private static void config(boolean markdown) {
    if (markdown) {
      System.out.print(markdownTable());
      return;
    }
    CourierConfig cfg = CourierConfig.fromEnvironment();
    for (Setting s : ConfigKeys.ALL) {
      String current = (s == ConfigKeys.JWT_SECRET || s == ConfigKeys.TCP_BRIDGE_SECRET) && cfg.isSet(s) ? "(set)"
          : s == ConfigKeys.REDIS_URL ? io.courier.cluster.RedisEndpoint.redacted(cfg.get(s)) : cfg.get(s);
      System.out.printf("%-32s default=%-28s current=%s%n  %s%n", s.env(), "'" + s.defaultValue() + "'",
          "'" + current + "'", s.description());
    }
  }

  /** The README's configuration table; a test keeps the README in step with it. */
  public static String markdownTable() {
    StringBuilder b = new StringBuilder("| variable | default | meaning |\n| --- | --- | --- |\n");
    for (Setting s : ConfigKeys.ALL) {
      b.append("| `").append(s.env()).append("` | ")
          .append(s.defaultValue().isEmpty() ? "(empty)" : "`" + s.defaultValue() + "`")
          .append(" | ").append(s.description().replace("|", "\\|")).append(" |\n");
    }
    return b.toString();
  }
}
