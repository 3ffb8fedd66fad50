package io.courier.connection;

import io.courier.protocol.ClientFrame;
import io.courier.protocol.InboxMessage;
import io.courier.protocol.ServerFrames;
import io.vertx.core.Future;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One connection's {@code sync}: replays the inbox after {@code after} in pages read from the
 * store, up to the lastSeq seen when the sync began (newer messages arrive live), then writes
 * {@code synced}. It paces itself by the connection's outbound queue: when the queue is congested
 * it waits for it to drain before the next message, so a long replay to a client that reads
 * slowly never grows the queue past its limit. A foreign epoch replays the current one from seq 1.
 */
final class SyncReplay {
  private final DeliveryClient delivery;
  private final String userId;
  private final int pageSize;
  private final Consumer<String> write;
  private final BooleanSupplier congested;
  private final Supplier<Future<Void>> drained;
  private final BooleanSupplier closed;
  private final GatewayMetrics metrics;

  SyncReplay(DeliveryClient delivery, String userId, int pageSize, Consumer<String> write, BooleanSupplier congested,
             Supplier<Future<Void>> drained, BooleanSupplier closed, GatewayMetrics metrics) {
    this.metrics = metrics;
    this.congested = congested;
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
    return writeFrom(page, 0, target, highest).compose(h -> {
      if (closed.getAsBoolean() || page.messages().isEmpty() || h >= target) {
        return Future.succeededFuture(h);
      }
      return drained.get().compose(v -> delivery.read(userId, h, pageSize)).compose(p -> writePages(p, target, h));
    });
  }

  /** Writes the page's messages from index {@code i} on, waiting for the queue whenever it is congested. */
  private Future<Long> writeFrom(DeliveryClient.Page page, int i, long target, long highest) {
    long h = highest;
    List<InboxMessage> messages = page.messages();
    for (int k = i; k < messages.size(); k++) {
      InboxMessage m = messages.get(k);
      if (m.seq() > target || closed.getAsBoolean()) {
        return Future.succeededFuture(h);
      }
      if (congested.getAsBoolean()) {
        long sofar = h;
        int resume = k;
        return drained.get().compose(v -> writeFrom(page, resume, target, sofar));
      }
      write.accept(m.toFrameText());
      h = m.seq();
    }
    return Future.succeededFuture(h);
  }
}
