package io.courier.delivery.store;

import static io.courier.delivery.store.Inboxes.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.testing.Ports;
import io.courier.testing.TestCluster;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The membership contract on a real two-member cluster (instance 0 on one member, 1 on the other). */
class HazelcastRoomStoreTest extends RoomStoreContractTest {
  private static CourierConfig cfg;
  private static TestCluster.Member first;
  private static TestCluster.Member second;

  @BeforeAll
  static void startCluster() {
    // Store calls may take half the bus timeout: 15 s, so a busy machine does not fail a contract about outcomes.
    cfg = TestCluster.config(Ports.uniqueName("room-contract")).with(ConfigKeys.BUS_TIMEOUT_MS, 30_000);
    first = TestCluster.start(cfg, "a");
    second = TestCluster.join(cfg, first.node().hazelcast().getCluster().getLocalMember().getAddress().getPort(), "b");
    assertThat(first.node().hazelcast().getCluster().getMembers()).hasSize(2);
    Inboxes.eventually(Duration.ofSeconds(20), "partitions migrated",
        () -> first.node().hazelcast().getPartitionService().isClusterSafe());
  }

  @AfterAll
  static void stopCluster() {
    await(second.vertx().close());
    await(first.vertx().close());
  }

  @Override
  protected RoomStore rooms(RoomSettings settings, int instance) {
    TestCluster.Member m = instance == 0 ? first : second;
    return new HazelcastRoomStore(m.vertx(), m.node().hazelcast(), settings);
  }

  @Override
  protected CourierConfig config() {
    return cfg;
  }
}
