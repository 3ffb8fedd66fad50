package io.courier.connection.inbox;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import io.courier.cluster.InProcess;
import io.courier.cluster.LocalInbox;
import io.courier.connection.GatewayMetrics;
import io.courier.connection.session.Session;
import io.courier.connection.session.Sessions;
import io.courier.protocol.Addresses;
import io.courier.protocol.Bus;
import io.courier.protocol.MsgFrame;
import io.courier.protocol.bus.NodePush;
import io.courier.protocol.bus.RoomPush;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
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
public final class NodeInboxVerticle extends VerticleBase implements LocalInbox {
  /** Catch-up reads after a member loss are spread over this window, not fired at once. */
  static final long CATCH_UP_SPREAD_MS = 2000;
  /** When the second catch-up pass starts, after the member left. */
  static final long CATCH_UP_SECOND_PASS_MS = 12_000;

  private final String nodeId;
  private final Sessions sessions;
  private final GatewayMetrics metrics;
  private final HazelcastInstance hazelcast;
  private final InProcess inProcess;
  private UUID membership;

  /** Registers with {@code inProcess} as the node's {@link LocalInbox} while it runs. */
  public NodeInboxVerticle(String nodeId, Sessions sessions, GatewayMetrics metrics, HazelcastInstance hazelcast,
                           InProcess inProcess) {
    this.nodeId = nodeId;
    this.sessions = sessions;
    this.metrics = metrics;
    this.hazelcast = hazelcast;
    this.inProcess = inProcess;
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
    return vertx.eventBus().<JsonObject>consumer(Addresses.node(nodeId), this::onPush).completion()
        .onSuccess(v -> inProcess.setInbox(this));
  }

  @Override
  public Future<?> stop() {
    inProcess.clearInbox(this);
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
    JsonObject doc = msg.body();
    // A document this node cannot read is dropped: the message is stored, sync recovers it.
    if (!Bus.readable(doc)) {
      return;
    }
    if (RoomPush.matches(doc)) {
      RoomPush room = RoomPush.fromJson(doc);
      if (room != null) {
        push(room);
      }
      return;
    }
    NodePush p = NodePush.fromJson(doc);
    if (p != null) {
      push(p);
    }
  }

  /** A push for a recipient connected here, from the bus or in-process from this node's delivery. */
  @Override
  public void push(NodePush p) {
    if (p.sentAt() != null) {
      metrics.routed(p.sentAt(), System.currentTimeMillis());
    }
    MsgFrame frame = p.id() != null && p.ts() != null
        ? new MsgFrame(p.seq(), p.id(), p.ts(), p.frame())
        : fromText(p.seq(), p.frame());
    String epoch = p.epoch();
    for (Session s : sessions.of(p.to())) {
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
  @Override
  public void push(RoomPush p) {
    if (p.sentAt() != null) {
      metrics.routed(p.sentAt(), System.currentTimeMillis());
    }
    String tail = MsgFrame.tail(p.id(), p.from(), null, p.room(), p.bodyJson(), p.ts());
    Map<Context, List<Runnable>> byLoop = new HashMap<>();
    for (RoomPush.Recipient r : p.recipients()) {
      List<Session> local = sessions.of(r.to());
      if (local.isEmpty()) {
        continue;
      }
      String epoch = r.epoch();
      MsgFrame frame = MsgFrame.of(r.seq(), epoch, p.id(), p.ts(), tail);
      for (Session s : local) {
        byLoop.computeIfAbsent(s.context(), c -> new ArrayList<>()).add(() -> s.onPush(epoch, frame));
      }
    }
    byLoop.forEach((ctx, pushes) -> ctx.runOnContext(v -> pushes.forEach(Runnable::run)));
  }
}
