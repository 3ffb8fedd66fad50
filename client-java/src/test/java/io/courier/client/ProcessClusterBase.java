package io.courier.client;

import io.courier.node.ProcessCluster;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/**
 * What every multi-process test shares: a Vert.x for its clients, the clients it opened, and the
 * cluster of node processes it started, all ended after each test (processes by SIGKILL).
 */
abstract class ProcessClusterBase {
  /** Time for a cluster of node processes to form on 2 busy cores. */
  static final Duration FORM = Duration.ofSeconds(60);

  protected final Vertx vertx = Vertx.vertx();
  protected final List<TestUser> users = new ArrayList<>();
  protected ProcessCluster cluster;

  @AfterEach
  void tearDown() {
    users.forEach(TestUser::close);
    vertx.close().await();
    if (cluster != null) {
      cluster.close();
    }
  }

  /** Keeps {@code u} to be closed after the test. */
  protected TestUser keep(TestUser u) {
    users.add(u);
    return u;
  }
}
