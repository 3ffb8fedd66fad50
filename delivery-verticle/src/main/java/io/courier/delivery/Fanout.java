package io.courier.delivery;

import io.courier.cluster.InProcess;
import io.courier.cluster.LocalInbox;
import io.courier.delivery.store.BatchAppendResult;
import io.courier.protocol.Addresses;
import io.courier.protocol.InboxMessage;
import io.courier.protocol.MsgFrame;
import io.courier.protocol.bus.NodePush;
import io.courier.protocol.bus.RoomPush;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Pushes a stored message to the nodes holding the recipient's connections: one event-bus message
 * per NODE (not per connection), carrying the msg frame already encoded, so every device of the
 * user on that node gets the same bytes. The message's id and ts travel beside the frame, so the
 * connection side never reads them back out of the text. Fire-and-forget: a push lost on the way is recovered by
 * the connection's gap fill, retransmit or the client's sync, because the message is already stored.
 */
final class Fanout {
  private final EventBus bus;
  private final String nodeId;
  private final InProcess inProcess;

  /** Pushes for {@code nodeId} (this node) go to its {@link LocalInbox} in-process while it has one. */
  Fanout(EventBus bus, String nodeId, InProcess inProcess) {
    this.bus = bus;
    this.nodeId = nodeId;
    this.inProcess = inProcess;
  }

  /** This node's push consumer when {@code node} is this node and it runs one; else null (the bus). */
  private LocalInbox local(String node) {
    return node.equals(nodeId) ? inProcess.inbox() : null;
  }

  /** The push of a stored message to the nodes of {@code recipient}, the frame encoded once. */
  static NodePush push(String recipient, InboxMessage m, Long sentAt) {
    return new NodePush(recipient, m.seq(), m.epoch(), m.id(), m.ts(), MsgFrame.text(m), sentAt);
  }

  /** The copies grouped by every node holding a connection of their owner (offline owners are left out). */
  static Map<String, List<RoomPush.Recipient>> byNode(List<BatchAppendResult.Appended> copies,
      Map<String, Set<String>> nodesOf) {
    Map<String, List<RoomPush.Recipient>> byNode = new HashMap<>();
    for (BatchAppendResult.Appended a : copies) {
      for (String node : nodesOf.getOrDefault(a.recipient(), Set.of())) {
        byNode.computeIfAbsent(node, n -> new ArrayList<>())
            .add(new RoomPush.Recipient(a.recipient(), a.result().seq(), a.result().epoch()));
      }
    }
    return byNode;
  }

  /**
   * One bus message per node for a room message: the message once (body as JSON text, not re-encoded
   * per recipient) and the node's recipients with their own seq and epoch. The node builds each
   * recipient's frame from it. Returns how many node messages went out.
   */
  int sendRoom(InboxMessage ref, Map<String, List<RoomPush.Recipient>> byNode) {
    Long now = System.currentTimeMillis();
    for (Map.Entry<String, List<RoomPush.Recipient>> e : byNode.entrySet()) {
      RoomPush push = new RoomPush(ref.room(), ref.id(), ref.from(), ref.bodyJson(), ref.ts(), e.getValue(), now);
      LocalInbox local = local(e.getKey());
      if (local != null) {
        local.push(push);
      } else {
        bus.send(Addresses.node(e.getKey()), push.toJson());
      }
    }
    return byNode.size();
  }

  int send(String recipient, InboxMessage m, Set<String> nodes) {
    if (nodes.isEmpty()) {
      return 0;
    }
    NodePush push = push(recipient, m, System.currentTimeMillis());
    JsonObject doc = null;
    for (String node : nodes) {
      LocalInbox local = local(node);
      if (local != null) {
        local.push(push);
        continue;
      }
      if (doc == null) {
        doc = push.toJson();
      }
      bus.send(Addresses.node(node), doc);
    }
    return nodes.size();
  }
}
