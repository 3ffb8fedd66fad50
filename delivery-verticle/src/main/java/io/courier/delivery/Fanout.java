package io.courier.delivery;

import io.courier.protocol.Addresses;
import io.courier.protocol.Bus;
import io.courier.protocol.InboxMessage;
import io.courier.protocol.MsgFrame;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import io.courier.delivery.store.BatchAppendResult;
import io.vertx.core.json.JsonArray;
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

  Fanout(EventBus bus) {
    this.bus = bus;
  }

  /** Distinct node ids holding a connection of the user (empty when offline or unknown). */
  static JsonObject push(String recipient, InboxMessage m) {
    return new JsonObject().put(Bus.V, Bus.VERSION).put(Bus.TO, recipient).put(Bus.SEQ, m.seq())
        .put(Bus.EPOCH, m.epoch()).put(Bus.ID, m.id()).put(Bus.TS, m.ts()).put(Bus.FRAME, MsgFrame.text(m));
  }

  /** One member's copy of a room message, as a node push lists it. */
  record Copy(String to, long seq, String epoch) {}

  /** The copies grouped by every node holding a connection of their owner (offline owners are left out). */
  static Map<String, List<Copy>> byNode(List<BatchAppendResult.Appended> copies, Map<String, Set<String>> nodesOf) {
    Map<String, List<Copy>> byNode = new HashMap<>();
    for (BatchAppendResult.Appended a : copies) {
      for (String node : nodesOf.getOrDefault(a.recipient(), Set.of())) {
        byNode.computeIfAbsent(node, n -> new ArrayList<>())
            .add(new Copy(a.recipient(), a.result().seq(), a.result().epoch()));
      }
    }
    return byNode;
  }

  /**
   * One bus message per node for a room message: the message once (body as JSON text, not re-encoded
   * per recipient) and the node's recipients with their own seq and epoch. The node builds each
   * recipient's frame from it. Returns how many node messages went out.
   */
  int sendRoom(InboxMessage ref, Map<String, List<Copy>> byNode) {
    long now = System.currentTimeMillis();
    for (Map.Entry<String, List<Copy>> e : byNode.entrySet()) {
      JsonArray recipients = new JsonArray(new ArrayList<>(e.getValue().size()));
      for (Copy c : e.getValue()) {
        recipients.add(new JsonObject().put(Bus.TO, c.to()).put(Bus.SEQ, c.seq()).put(Bus.EPOCH, c.epoch()));
      }
      JsonObject doc = new JsonObject().put(Bus.V, Bus.VERSION).put(Bus.ROOM, ref.room()).put(Bus.ID, ref.id())
          .put(Bus.FROM, ref.from()).put(Bus.BODY, ref.bodyJson()).put(Bus.TS, ref.ts())
          .put(Bus.RECIPIENTS, recipients).put(Bus.SENT_AT, now);
      bus.send(Addresses.node(e.getKey()), doc);
    }
    return byNode.size();
  }

  int send(String recipient, InboxMessage m, Set<String> nodes) {
    if (nodes.isEmpty()) {
      return 0;
    }
    JsonObject doc = push(recipient, m).put(Bus.SENT_AT, System.currentTimeMillis());
    for (String node : nodes) {
      bus.send(Addresses.node(node), doc);
    }
    return nodes.size();
  }
}
