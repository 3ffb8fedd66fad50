package io.courier.delivery;

import io.courier.cluster.PresenceEntry;
import io.courier.protocol.Addresses;
import io.courier.protocol.Bus;
import io.courier.protocol.InboxMessage;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.Set;

/**
 * Pushes a stored message to the nodes holding the recipient's connections: one event-bus message
 * per NODE (not per connection), carrying the msg frame already encoded, so every device of the
 * user on that node gets the same bytes. Fire-and-forget: a push lost on the way is recovered by
 * the connection's gap fill, retransmit or the client's sync, because the message is already stored.
 */
final class Fanout {
  private final EventBus bus;

  Fanout(EventBus bus) {
    this.bus = bus;
  }

  /** Distinct node ids holding a connection of the user (empty when offline or unknown). */
  static Set<String> nodesOf(PresenceEntry entry) {
    if (entry == null) {
      return Set.of();
    }
    Set<String> nodes = new HashSet<>();
    for (PresenceEntry.Device d : entry.devices().values()) {
      nodes.add(d.nodeId());
    }
    return nodes;
  }

  static JsonObject push(String recipient, InboxMessage m) {
    return new JsonObject().put(Bus.V, Bus.VERSION).put(Bus.TO, recipient).put(Bus.SEQ, m.seq())
        .put(Bus.EPOCH, m.epoch()).put(Bus.FRAME, m.toFrameText());
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
