package io.courier.presence.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.cluster.Presence;
import io.courier.presence.PresenceContractTest;
import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.testing.Ports;
import io.courier.testing.TestCluster;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The presence contract on two real Hazelcast members, each with the presence its node context
 * builds (so through the {@link java.util.ServiceLoader} registration, as a node gets it).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HazelcastPresenceContractTest extends PresenceContractTest {
  private TestCluster.Member a;
  private TestCluster.Member b;

  @BeforeAll
  void start() {
    CourierConfig cfg = TestCluster.config(Ports.uniqueName("presence-contract"));
    a = TestCluster.start(cfg, "contract-a");
    b = TestCluster.join(cfg, cfg.getInt(ConfigKeys.CLUSTER_PORT), "contract-b");
  }

  @AfterAll
  void stop() {
    Future.join(b.vertx().close(), a.vertx().close()).await();
  }

  @Override
  protected Presence presence(int member) {
    return (member == 0 ? a : b).node().presence();
  }

  @Override
  protected Vertx vertx(int member) {
    return (member == 0 ? a : b).vertx();
  }

  @Test
  void theNodeContextBuildsTheHazelcastPresence() {
    assertThat(presence(0)).isInstanceOf(HazelcastPresence.class);
  }
}
