package io.courier.connection.inbox;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import io.courier.connection.GatewayMetrics;
import io.courier.connection.session.Session;
import io.courier.connection.session.Sessions;
import io.courier.protocol.Addresses;
import io.courier.protocol.Bus;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.courier.protocol.MsgFrame;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The node's single clustered consumer for pushes ({@code courier.node.<nodeId>}). It hands each
 * push to every local connection of the recipient on that connection's own event loop. One
 * registration per node keeps the cluster's subscription table independent of connection churn.
 */
public final class NodeInboxVerticle extends VerticleBase {
  /** Catch-up reads after a member loss are spread over this window, not fired at once. */
  static final long CATCH_UP_SPREAD_MS = 2000;
  /** When the second catch-up pass starts, after the member left. */
  static final long CATCH_UP_SECOND_PASS_MS = 12_000;

  private final String nodeId;
  private final Sessions sessions;
  private final GatewayMetrics metrics;
  private final HazelcastInstance hazelcast;
  private UUID membership;

  public NodeInboxVerticle(String nodeId, Sessions sessions, GatewayMetrics metrics, HazelcastInstance hazelcast) {
    this.nodeId = nodeId;
    this.sessions = sessions;
    this.metrics = metrics;
    this.hazelcast = hazelcast;
  }

  @Override
  public Future<?> start() {
    Context ctx = context;
    // A member that died may have stored messages whose pushes died with it. Nothing else would
    // reveal them while no later message arrives, so every connection reads its inbox head once.
    membership = hazelcast.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {}

      @Override
      public void memberRemoved(MembershipEvent event) {
        ctx.runOnContext(v -> catchUpAll());
      }
    });
    return vertx.eventBus().<JsonObject>consumer(Addresses.node(nodeId), this::onPush).completion();
  }

  @Override
  public Future<?> stop() {
    if (membership != null) {
      hazelcast.getCluster().removeMembershipListener(membership);
    }
    return Future.succeededFuture();
  }

  /**
   * Twice: once soon, and once after a store write that was in flight when the member died has
   * certainly completed or timed out (its caller gave up after the bus timeout).
   */
  private void catchUpAll() {
    for (long base : new long[] {0, CATCH_UP_SECOND_PASS_MS}) {
      for (Session s : sessions.all()) {
        long delay = 1 + base + ThreadLocalRandom.current().nextLong(CATCH_UP_SPREAD_MS);
        s.context().runOnContext(v -> s.context().owner().setTimer(delay, id -> s.catchUp()));
      }
    }
  }

  private void onPush(Message<JsonObject> msg) {
    JsonObject p = msg.body();
    // A document this node cannot read is dropped: the message is stored, sync recovers it.
    if (p == null || !(p.getValue(Bus.V) instanceof Integer version) || version > Bus.VERSION) {
      return;
    }
    if (p.getValue(Bus.RECIPIENTS) instanceof JsonArray recipients) {
      onRoomPush(p, recipients);
      return;
    }
    if (!(p.getValue(Bus.SEQ) instanceof Number seqValue)) {
      return;
    }
    String to = p.getString(Bus.TO);
    long seq = seqValue.longValue();
    String epoch = p.getString(Bus.EPOCH);
    String text = p.getString(Bus.FRAME);
    if (to == null || epoch == null || text == null) {
      return;
    }
    if (p.getValue(Bus.SENT_AT) instanceof Number sentAt) {
      metrics.routed(sentAt.longValue(), System.currentTimeMillis());
    }
    MsgFrame frame = p.getValue(Bus.ID) instanceof String id && p.getValue(Bus.TS) instanceof Number ts
        ? new MsgFrame(seq, id, ts.longValue(), text)
        : fromText(seq, text);
    for (Session s : sessions.of(to)) {
      s.context().runOnContext(v -> s.onPush(epoch, frame));
    }
  }

  /**
   * A push from a delivery verticle that predates id and ts beside the frame: read once per node,
   * here, so a connection always gets them as fields. Unreadable: id null and ts 0, which only
   * costs a store read should the seq come again.
   */
  static MsgFrame fromText(long seq, String text) {
    try {
      JsonObject o = new JsonObject(text);
      Object ts = o.getValue(Bus.TS);
      return new MsgFrame(seq, o.getValue(Bus.ID) instanceof String id ? id : null,
          ts instanceof Number n ? n.longValue() : 0, text);
    } catch (RuntimeException e) {
      return new MsgFrame(seq, null, 0, text);
    }
  }

  /**
   * A room message for many recipients on this node: the part of the frame after seq and epoch is
   * built once, and each recipient's frame is its own seq and epoch in front of it (all of that
   * user's connections here share the frame). The pushes are handed to each gateway event loop as
   * one task per loop, not one per connection: a room of thousands would otherwise queue thousands
   * of tasks per message.
   */
  private void onRoomPush(JsonObject p, JsonArray recipients) {
    String room = p.getString(Bus.ROOM);
    String id = p.getString(Bus.ID);
    String from = p.getString(Bus.FROM);
    String body = p.getString(Bus.BODY);
    if (room == null || id == null || from == null || body == null || !(p.getValue(Bus.TS) instanceof Number ts)) {
      return;
    }
    if (p.getValue(Bus.SENT_AT) instanceof Number sentAt) {
      metrics.routed(sentAt.longValue(), System.currentTimeMillis());
    }
    String tail = MsgFrame.tail(id, from, null, room, body, ts.longValue());
    Map<Context, List<Runnable>> byLoop = new HashMap<>();
    for (int i = 0; i < recipients.size(); i++) {
      if (!(recipients.getValue(i) instanceof JsonObject r) || !(r.getValue(Bus.SEQ) instanceof Number seqValue)
          || r.getString(Bus.TO) == null || r.getString(Bus.EPOCH) == null) {
        continue;
      }
      List<Session> local = sessions.of(r.getString(Bus.TO));
      if (local.isEmpty()) {
        continue;
      }
      long seq = seqValue.longValue();
      String epoch = r.getString(Bus.EPOCH);
      MsgFrame frame = MsgFrame.of(seq, epoch, id, ts.longValue(), tail);
      for (Session s : local) {
        byLoop.computeIfAbsent(s.context(), c -> new ArrayList<>()).add(() -> s.onPush(epoch, frame));
      }
    }
    byLoop.forEach((ctx, pushes) -> ctx.runOnContext(v -> pushes.forEach(Runnable::run)));
  }
}
