package io.courier.delivery;

import io.courier.cluster.NodeContext;
import io.courier.delivery.store.HazelcastMessageStore;
import io.courier.delivery.store.MessageStore;
import io.courier.delivery.store.RedisMessageStore;
import io.courier.protocol.ConfigKeys;
import io.vertx.core.Vertx;

/** Chooses the message store named by {@code COURIER_STORE}. */
public final class Stores {
  private Stores() {}

  public static MessageStore create(Vertx vertx, NodeContext node) {
    String kind = node.config().get(ConfigKeys.STORE);
    return switch (kind) {
      case "hazelcast" -> new HazelcastMessageStore(vertx, node.hazelcast(), node.config());
      case "redis" -> new RedisMessageStore(vertx, node.config());
      default -> throw new IllegalArgumentException(
          ConfigKeys.STORE.env() + " must be 'hazelcast' or 'redis', got '" + kind + "'");
    };
  }
}
