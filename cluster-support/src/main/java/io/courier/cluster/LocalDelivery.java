package io.courier.cluster;

import io.courier.protocol.bus.DeliveryRead;
import io.courier.protocol.bus.DeliverySend;
import io.vertx.core.Future;

/**
 * A delivery verticle of this node as its gateways call it in-process: the same work as a request
 * on {@link io.courier.protocol.Addresses#DELIVERY_SEND} or {@code DELIVERY_READ}, without the event bus (no JSON document,
 * no delivery context, no reply handler, no hop to the verticle's event loop). Runs on the
 * caller's context and completes there. A failure is what the bus would have answered: a
 * {@link io.vertx.core.eventbus.ReplyException} of type {@code RECIPIENT_FAILURE} whose message is
 * the wire error ({@link io.courier.protocol.BusFailures}), so callers map both paths alike.
 */
public interface LocalDelivery {
  /** A point-to-point send (a request with {@code to}); room sends go over the bus. */
  Future<DeliverySend.Reply> send(DeliverySend.Request request);

  /** An inbox read, as on {@link io.courier.protocol.Addresses#DELIVERY_READ}. */
  Future<DeliveryRead.Reply> read(DeliveryRead.Request request);
}
