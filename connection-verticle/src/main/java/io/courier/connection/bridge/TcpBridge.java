package io.courier.connection.bridge;

import io.courier.cluster.NodeContext;
import io.courier.connection.auth.JwtKeys;
import io.courier.connection.auth.RevocationCheck;
import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** Deploys the TCP event-bus bridge for services when {@code COURIER_TCP_BRIDGE_PORT} > 0. */
public final class TcpBridge {
  private TcpBridge() {}

  /**
   * Whether the bridge is on; when it is, its settings are checked first, so a node with unusable
   * bridge settings fails at start with a clear message (IllegalArgumentException).
   */
  public static boolean enabled(CourierConfig cfg) {
    if (cfg.getLong(ConfigKeys.TCP_BRIDGE_PORT) == 0) {
      return false;
    }
    TcpBridgeVerticle.validate(cfg);
    return true;
  }

  /**
   * The deployment id, or null when the bridge is off. {@code keys} verify service tokens, and a
   * revoked service token is refused like any other ({@code revocations}).
   */
  public static Future<String> deployIfEnabled(Vertx vertx, NodeContext node, JwtKeys keys, RevocationCheck revocations) {
    try {
      if (!enabled(node.config())) {
        return Future.succeededFuture();
      }
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    return vertx.deployVerticle(new TcpBridgeVerticle(node, keys, revocations));
  }
}
