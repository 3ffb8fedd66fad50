package io.courier.cluster;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;

/**
 * Which of Courier's services run in this Vert.x instance (this node). A gateway whose node also
 * runs delivery sends its requests there ({@code DeliveryOptions#setLocalOnly}) instead of
 * letting the clustered event bus pick any node's delivery verticle round robin: the store call
 * goes to the inbox's partition owner either way, so the extra cluster hop (serialization, TCP,
 * another node's event loop, and back) bought nothing. Nodes without delivery (split deployments)
 * still reach every node's delivery verticle round robin.
 *
 * <p>A count per service in a local map of this Vert.x instance: a verticle deployed with several
 * instances marks itself once per instance.
 */
public final class LocalServices {
  /** The local (never clustered) shared map holding the counts. */
  public static final String MAP = "courier.local-services";
  /** Marked by each delivery verticle instance while its consumers are registered. */
  public static final String DELIVERY = "delivery";

  private LocalServices() {}

  public static void up(Vertx vertx, String service) {
    map(vertx).merge(service, 1, Integer::sum);
  }

  public static void down(Vertx vertx, String service) {
    map(vertx).computeIfPresent(service, (k, n) -> n <= 1 ? null : n - 1);
  }

  public static boolean present(Vertx vertx, String service) {
    Integer n = map(vertx).get(service);
    return n != null && n > 0;
  }

  private static LocalMap<String, Integer> map(Vertx vertx) {
    return vertx.sharedData().getLocalMap(MAP);
  }
}
