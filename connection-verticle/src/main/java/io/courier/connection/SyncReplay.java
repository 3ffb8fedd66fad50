package io.courier.connection;

import io.courier.protocol.ClientFrame;
import io.courier.protocol.InboxMessage;
import io.courier.protocol.ServerFrames;
import io.vertx.core.Future;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One connection's {@code sync}: replays the inbox after {@code after} in pages read from the
 * store, waiting for the socket to drain between pages, up to the lastSeq seen when the sync
 * began (newer messages arrive live), then writes {@code synced}. A foreign epoch replays the
 * current one from seq 1.
 */
final class SyncReplay {
  private final DeliveryClient delivery;
  private final String userId;
  private final int pageSize;
  private final Consumer<String> write;
  private final Supplier<Future<Void>> drained;
  private final BooleanSupplier closed;
  private final GatewayMetrics metrics;

  SyncReplay(DeliveryClient delivery, String userId, int pageSize, Consumer<String> write,
             Supplier<Future<Void>> drained, BooleanSupplier closed, GatewayMetrics metrics) {
    this.metrics = metrics;
    this.delivery = delivery;
    this.userId = userId;
    this.pageSize = pageSize;
    this.write = write;
    this.drained = drained;
    this.closed = closed;
  }

  Future<Void> run(ClientFrame.Sync f) {
    return delivery.read(userId, f.after(), pageSize).compose(first -> {
      if (f.epoch() != null && f.after() > 0 && !f.epoch().equals(first.epoch())) {
        // The client's seqs belong to another inbox generation: replay the current one from the start.
        return delivery.read(userId, 0, pageSize).compose(p -> replay(0, p, f.ref()));
      }
      return replay(f.after(), first, f.ref());
    });
  }

  private Future<Void> replay(long after, DeliveryClient.Page first, String ref) {
    boolean truncated = first.lastSeq() > after && first.firstAvailable() > after + 1;
    long target = first.lastSeq();
    return writePages(first, target, -1).map(highest -> {
      metrics.synced(truncated);
      write.accept(ServerFrames.synced(after, highest >= 0 ? highest : first.lastSeq(), first.epoch(), truncated,
          first.firstAvailable(), ref).encode());
      return null;
    });
  }

  private Future<Long> writePages(DeliveryClient.Page page, long target, long highest) {
    long h = highest;
    for (InboxMessage m : page.messages()) {
      if (m.seq() > target) {
        break;
      }
      write.accept(m.toFrameText());
      h = m.seq();
    }
    if (closed.getAsBoolean() || page.messages().isEmpty() || h >= target) {
      return Future.succeededFuture(h);
    }
    long next = h;
    return drained.get().compose(v -> delivery.read(userId, next, pageSize))
        .compose(p -> writePages(p, target, next));
  }
}
