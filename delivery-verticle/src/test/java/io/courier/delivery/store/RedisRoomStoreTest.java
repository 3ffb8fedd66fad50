package io.courier.delivery.store;

import static io.courier.delivery.store.Inboxes.await;

import io.courier.delivery.store.redis.PipelinedRedis;
import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.testing.RedisServer;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/** The membership contract on a real redis-server of the test's own (never the machine's 6379). */
@ExtendWith(VertxExtension.class)
class RedisRoomStoreTest extends RoomStoreContractTest {
  private static RedisServer server;
  private static Vertx vertx;
  private static final List<PipelinedRedis> clients = new ArrayList<>();

  @BeforeAll
  static void startRedis(Vertx v) {
    vertx = v;
    server = RedisServer.start();
    clients.add(new PipelinedRedis(vertx, server.url(), 2, 1024, "test"));
    clients.add(new PipelinedRedis(vertx, server.url(), 2, 1024, "test"));
  }

  @AfterAll
  static void stopRedis() {
    clients.forEach(c -> await(c.close()));
    server.close();
  }

  @Override
  protected RoomStore rooms(RoomSettings settings, int instance) {
    return new RedisRoomStore(vertx, clients.get(instance), settings);
  }

  /**
   * A store call may take up to half the bus timeout. On a machine busy with other builds, a
   * burst of concurrent joins took more than the default 5 s once; the contract is about outcomes,
   * not speed, so allow 15 s.
   */
  @Override
  protected CourierConfig config() {
    return CourierConfig.defaults().with(ConfigKeys.REDIS_URL, server.url()).with(ConfigKeys.BUS_TIMEOUT_MS, 30_000);
  }
}
