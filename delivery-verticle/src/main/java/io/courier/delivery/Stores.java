package io.courier.delivery;

import io.courier.cluster.NodeContext;
import io.courier.delivery.store.HazelcastMessageStore;
import io.courier.delivery.store.HazelcastRoomStore;
import io.courier.delivery.store.MessageStore;
import io.courier.delivery.store.RedisMessageStore;
import io.courier.delivery.store.RedisRoomStore;
import io.courier.delivery.store.RoomSettings;
import io.courier.delivery.store.RoomStore;
import io.courier.protocol.ConfigKeys;
import io.vertx.core.Vertx;

/**
 * Chooses the message store named by {@code COURIER_STORE}, and puts room membership in the same
 * backend, so memberships are exactly as durable as the messages they route.
 */
public final class Stores {
  private Stores() {}

  /** The message store and the membership store of one delivery verticle. */
  public record Pair(MessageStore messages, RoomStore rooms) {}

  public static Pair create(Vertx vertx, NodeContext node) {
    String kind = node.config().get(ConfigKeys.STORE);
    RoomSettings rooms = RoomSettings.from(node.config());
    return switch (kind) {
      case "hazelcast" -> new Pair(new HazelcastMessageStore(vertx, node.hazelcast(), node.config(), node.presence()),
          new HazelcastRoomStore(vertx, node.hazelcast(), rooms));
      case "redis" -> {
        RedisMessageStore messages = new RedisMessageStore(vertx, node.config());
        yield new Pair(messages, new RedisRoomStore(vertx, messages.client(), rooms));
      }
      default -> throw new IllegalArgumentException(
          ConfigKeys.STORE.env() + " must be 'hazelcast' or 'redis', got '" + kind + "'");
    };
  }
}
