package io.courier.connection;

import io.courier.cluster.NodeContext;
import io.courier.protocol.ConfigKeys;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;

/**
 * Deploys the connection side of a node: the node inbox (one clustered consumer for the node) and
 * the gateway instances that share the WebSocket port, all sharing one {@link Sessions} registry.
 */
public final class Gateway {
  private Gateway() {}

  public record Deployed(Sessions sessions, List<String> deploymentIds) {}

  public static Future<Deployed> deploy(Vertx vertx, NodeContext node, String jwtSecret) {
    Sessions sessions = new Sessions();
    int instances = node.config().getInt(ConfigKeys.GATEWAY_INSTANCES);
    if (instances <= 0) {
      instances = Runtime.getRuntime().availableProcessors();
    }
    int n = instances;
    return vertx.deployVerticle(new NodeInboxVerticle(node.nodeId(), sessions))
        .compose(inboxId -> vertx.deployVerticle(() -> new GatewayVerticle(node, sessions, jwtSecret),
                new DeploymentOptions().setInstances(n))
            .map(gwId -> new Deployed(sessions, List.of(inboxId, gwId))));
  }
}
