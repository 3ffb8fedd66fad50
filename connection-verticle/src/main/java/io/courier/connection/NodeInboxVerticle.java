package io.courier.connection;

import io.courier.protocol.Addresses;
import io.courier.protocol.Bus;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

/**
 * The node's single clustered consumer for pushes ({@code courier.node.<nodeId>}). It hands each
 * push to every local connection of the recipient on that connection's own event loop. One
 * registration per node keeps the cluster's subscription table independent of connection churn.
 */
public final class NodeInboxVerticle extends VerticleBase {
  private final String nodeId;
  private final Sessions sessions;
  private final GatewayMetrics metrics;

  public NodeInboxVerticle(String nodeId, Sessions sessions, GatewayMetrics metrics) {
    this.nodeId = nodeId;
    this.sessions = sessions;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    return vertx.eventBus().<JsonObject>consumer(Addresses.node(nodeId), this::onPush).completion();
  }

  private void onPush(Message<JsonObject> msg) {
    JsonObject p = msg.body();
    // A document this node cannot read is dropped: the message is stored, sync recovers it.
    if (p == null || !(p.getValue(Bus.V) instanceof Integer version) || version > Bus.VERSION
        || !(p.getValue(Bus.SEQ) instanceof Number seqValue)) {
      return;
    }
    String to = p.getString(Bus.TO);
    long seq = seqValue.longValue();
    String epoch = p.getString(Bus.EPOCH);
    String frame = p.getString(Bus.FRAME);
    if (to == null || epoch == null || frame == null) {
      return;
    }
    if (p.getValue(Bus.SENT_AT) instanceof Number sentAt) {
      metrics.routed(sentAt.longValue(), System.currentTimeMillis());
    }
    for (Session s : sessions.of(to)) {
      s.context().runOnContext(v -> s.onPush(seq, epoch, frame));
    }
  }
}
