package io.courier.cluster;

import io.courier.protocol.bus.NodePush;
import io.courier.protocol.bus.RoomPush;

/**
 * This node's push consumer as delivery calls it in-process when a recipient is connected here: the
 * same as a {@link NodePush} or {@link RoomPush} sent to {@link io.courier.protocol.Addresses#node} for this node, with
 * the record handed over as it is instead of encoded to JSON and decoded again. Callable from any
 * thread; the push is handed to each connection on its own event loop.
 */
public interface LocalInbox {
  void push(NodePush push);

  /** A room message's push for this node's recipients, likewise. */
  void push(RoomPush push);
}
