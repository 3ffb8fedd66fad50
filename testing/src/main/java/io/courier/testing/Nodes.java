package io.courier.testing;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.tokens.TokenIssuer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that starts nodes with given settings, mints their tokens, and stops
 * everything it started, last started first, even when a test or a set-up step failed. Register it
 * in a static field:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final Nodes<CourierNode> nodes = InProcessNodes.named("heartbeat");
 *
 * @BeforeAll
 * void start() {
 *   node = nodes.start(nodes.config().with(ConfigKeys.HEARTBEAT_MS, 1000));
 *   client = nodes.client();
 * }
 * }</pre>
 *
 * What a test starts in {@code @BeforeAll} is stopped after all its tests; what it starts in
 * {@code @BeforeEach} or in a test, after that test. The node type comes with a {@link Launcher},
 * so this module needs no server module and any module's tests can use it.
 *
 * @param <N> the node type, e.g. the node module's {@code CourierNode}
 */
public final class Nodes<N> implements BeforeEachCallback, AfterEachCallback, AfterAllCallback {
  /** How to start a node with a config, which port its WebSocket and HTTP routes listen on, and how to stop it. */
  public record Launcher<N>(Function<CourierConfig, Future<N>> start, ToIntFunction<N> port,
      Function<N, Future<?>> stop) {}

  private final String name;
  private final Launcher<N> launcher;
  private final String secret;
  private final Duration tokenTtl;
  private final List<AutoCloseable> forAll = new ArrayList<>();
  private final List<AutoCloseable> forTest = new ArrayList<>();
  private final List<N> started = new ArrayList<>();
  private boolean inTest;
  private Vertx client;

  private Nodes(String name, Launcher<N> launcher, String secret, Duration tokenTtl) {
    this.name = name;
    this.launcher = launcher;
    this.secret = secret;
    this.tokenTtl = tokenTtl;
  }

  /**
   * Nodes for one test class: {@code name} prefixes the cluster name and the HS256 secret (a fresh
   * random one); tokens last an hour.
   */
  public static <N> Nodes<N> of(String name, Launcher<N> launcher) {
    return new Nodes<>(name, launcher, name + "-" + UUID.randomUUID(), Duration.ofHours(1));
  }

  /** This extension with tokens from {@link #token(String)} lasting {@code ttl}: call it where the extension is declared. */
  public Nodes<N> tokensLasting(Duration ttl) {
    return new Nodes<>(name, launcher, secret, ttl);
  }

  /** The HS256 secret every config from {@link #config()} carries. */
  public String secret() {
    return secret;
  }

  /**
   * A base config: a new unique cluster name on loopback with a free member port (see
   * {@link TestCluster#config}), and this extension's JWT secret. Nodes of one cluster start from
   * the same config.
   */
  public CourierConfig config() {
    return TestCluster.config(Ports.uniqueName(name)).with(ConfigKeys.JWT_SECRET, secret);
  }

  /**
   * {@code cfg} for a further member of the cluster started with {@code cfg}: a free member port of
   * its own, joining the first one's.
   */
  public static CourierConfig joining(CourierConfig cfg) {
    return cfg.with(ConfigKeys.CLUSTER_PORT, Ports.free())
        .with(ConfigKeys.CLUSTER_MEMBERS, "127.0.0.1:" + cfg.getInt(ConfigKeys.CLUSTER_PORT));
  }

  /** Starts a node with {@code cfg} and waits until it runs; it is stopped with the rest. */
  public N start(CourierConfig cfg) {
    N node = launcher.start().apply(cfg).await();
    synchronized (this) {
      started.add(node);
      add(() -> {
        forget(node);
        launcher.stop().apply(node).await();
      });
    }
    return node;
  }

  /** The first node started (and not yet stopped). */
  public synchronized N node() {
    if (started.isEmpty()) {
      throw new IllegalStateException("no node started yet");
    }
    return started.get(0);
  }

  /** The first node's port, where its WebSocket and HTTP routes listen. */
  public int port() {
    return port(node());
  }

  /** {@code node}'s port, where its WebSocket and HTTP routes listen. */
  public int port(N node) {
    return launcher.port().applyAsInt(node);
  }

  /** A Vert.x for the test's clients, made on first call and closed with the rest (before the nodes started earlier). */
  public synchronized Vertx client() {
    if (client == null) {
      Vertx v = Vertx.vertx();
      add(() -> {
        forgetClient();
        v.close().await();
      });
      client = v;
    }
    return client;
  }

  /** Registers {@code c} to be closed with the nodes, in reverse order of registration; returns it. */
  public synchronized <T extends AutoCloseable> T add(T c) {
    (inTest ? forTest : forAll).add(c);
    return c;
  }

  /** A token for {@code user}, signed with {@link #secret()}, without rooms. */
  public String token(String user) {
    return token(user, tokenTtl);
  }

  public String token(String user, Duration ttl) {
    return TokenIssuer.issue(secret, user, ttl, List.of());
  }

  /** A token for {@code user} with the {@code rooms} claim. */
  public String token(String user, List<String> rooms) {
    return TokenIssuer.issue(secret, user, tokenTtl, rooms);
  }

  private synchronized void forget(N node) {
    started.remove(node);
  }

  private synchronized void forgetClient() {
    client = null;
  }

  @Override
  public synchronized void beforeEach(ExtensionContext context) {
    inTest = true;
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    List<AutoCloseable> items;
    synchronized (this) {
      inTest = false;
      items = List.copyOf(forTest);
      forTest.clear();
    }
    closeReversed(items);
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    List<AutoCloseable> items;
    synchronized (this) {
      items = List.copyOf(forAll);
      forAll.clear();
    }
    closeReversed(items);
  }

  /** Closes every item, last first; the first failure is thrown after all were tried, the others suppressed. */
  private static void closeReversed(List<AutoCloseable> items) throws Exception {
    Throwable failure = null;
    for (int i = items.size() - 1; i >= 0; i--) {
      try {
        items.get(i).close();
      } catch (Exception | AssertionError e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure instanceof Exception e) {
      throw e;
    }
    if (failure instanceof AssertionError e) {
      throw e;
    }
  }
}
