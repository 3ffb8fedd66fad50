package io.courier.connection.session;

import io.courier.connection.GatewayMetrics;
import io.courier.connection.inbox.LiveStream;
import io.courier.connection.inbox.SyncReplay;
import io.courier.protocol.ClientFrame;
import io.vertx.core.Future;

/**
 * {@code ack} and {@code sync}: an ack releases the live stream's un-acked messages up to its seq;
 * a sync replays the inbox ({@link SyncReplay}), one sync after the other.
 */
final class InboxRequests {
  private final Session session;
  private final LiveStream live;
  private final SyncReplay replay;
  private final GatewayMetrics metrics;
  private boolean synced;
  private Future<Void> syncChain = Future.succeededFuture();

  InboxRequests(Session session, LiveStream live, SyncReplay replay, GatewayMetrics metrics) {
    this.session = session;
    this.live = live;
    this.replay = replay;
    this.metrics = metrics;
  }

  void ack(ClientFrame.Ack f) {
    live.ack(f.seq());
  }

  void sync(ClientFrame.Sync f) {
    if (!synced && f.after() > 0) {
      // The client carries a position from an earlier session: this connection resumes it.
      metrics.reconnect();
    }
    synced = true;
    syncChain = syncChain.transform(ignored -> replay.run(f).recover(err -> {
      session.writeFailure(err, f.ref());
      return Future.succeededFuture();
    }));
  }
}
