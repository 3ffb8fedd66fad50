package io.courier.connection.inbox;

import io.courier.connection.GatewayMetrics;
import io.courier.connection.session.DeliveryClient;
import io.courier.protocol.ClientFrame;
import io.courier.protocol.InboxMessage;
import io.courier.protocol.MetricNames;
import io.courier.protocol.ServerFrames;
import io.courier.protocol.bus.DeliveryRead;
import io.vertx.core.Future;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's {@code sync}: replays the inbox after {@code after} in pages read from the
 * store, up to the lastSeq seen when the sync began (newer messages arrive live), then writes
 * {@code synced}. It paces itself by the connection's outbound queue: when the queue is congested
 * it waits for it to drain before the next message, so a long replay to a client that reads
 * slowly never grows the queue past its limit. A foreign epoch replays the current one from seq 1.
 * In the current epoch, a client ahead of the store or holding another message at {@code after}
 * than the store ({@link RollbackCheck}) gets everything the store holds and {@code synced} with
 * {@code reset: true}.
 */
public final class SyncReplay {
  private static final Logger LOG = LoggerFactory.getLogger(SyncReplay.class);
  private final DeliveryClient delivery;
  private final String userId;
  private final int pageSize;
  private final Consumer<String> write;
  private final BooleanSupplier congested;
  private final Supplier<Future<Void>> drained;
  private final BooleanSupplier closed;
  private final GatewayMetrics metrics;
  private final Consumer<InboxMessage> replayed;

  /** {@code replayed} is told of each message written, after it was written (the live stream's check). */
  public SyncReplay(DeliveryClient delivery, String userId, int pageSize, Consumer<String> write, BooleanSupplier congested,
             Supplier<Future<Void>> drained, BooleanSupplier closed, GatewayMetrics metrics,
             Consumer<InboxMessage> replayed) {
    this.metrics = metrics;
    this.replayed = replayed;
    this.congested = congested;
    this.delivery = delivery;
    this.userId = userId;
    this.pageSize = pageSize;
    this.write = write;
    this.drained = drained;
    this.closed = closed;
  }

  public Future<Void> run(ClientFrame.Sync f) {
    long after = f.after();
    // With a proof the first read starts one seq earlier, so the same round trip returns the
    // message at after (checked, not written) and the first page to replay.
    boolean proof = f.lastId() != null && after > 0;
    return delivery.read(userId, proof ? after - 1 : after, pageSize).compose(first -> {
      if (f.epoch() == null || after == 0) {
        return replay(after, first, false, f.ref());
      }
      if (!f.epoch().equals(first.epoch())) {
        // The client's seqs belong to another inbox generation: replay the current one from the start.
        return delivery.read(userId, 0, pageSize).compose(p -> replay(0, p, false, f.ref()));
      }
      InboxMessage atAfter = proof ? RollbackCheck.messageAt(first.messages(), after) : null;
      if (RollbackCheck.syncRolledBack(after, f.lastId(), f.lastTs(), first.lastSeq(), first.firstAvailable(),
          atAfter)) {
        LOG.atWarn().addKeyValue("userId", userId).addKeyValue("clientAfter", after)
            .addKeyValue("storeLastSeq", first.lastSeq()).addKeyValue("epoch", first.epoch())
            .addKeyValue("proof", proof).log("inbox rolled back");
        metrics.inboxRolledBack(MetricNames.DETECTED_SYNC);
        // Same epoch, different history: replay everything the store holds, and say so.
        return delivery.read(userId, 0, pageSize).compose(p -> replay(0, p, true, f.ref()));
      }
      return replay(after, first, false, f.ref());
    });
  }

  private Future<Void> replay(long after, DeliveryRead.Reply first, boolean reset, String ref) {
    boolean truncated = first.lastSeq() > after && first.firstAvailable() > after + 1;
    long target = first.lastSeq();
    return writePages(first, after, target, -1).map(highest -> {
      metrics.synced(truncated);
      write.accept(ServerFrames.synced(after, highest >= 0 ? highest : first.lastSeq(), first.epoch(), truncated,
          first.firstAvailable(), reset, ref).encode());
      return null;
    });
  }

  /** Writes the pages' messages past {@code after} up to {@code target}; returns the highest seq written (-1: none). */
  private Future<Long> writePages(DeliveryRead.Reply page, long after, long target, long highest) {
    return writeFrom(page, 0, after, target, highest).compose(h -> {
      if (closed.getAsBoolean() || page.messages().isEmpty() || h >= target) {
        return Future.succeededFuture(h);
      }
      // Nothing written yet (the page held only the proof's message at after): go on past after.
      long from = Math.max(h, after);
      return drained.get().compose(v -> delivery.read(userId, from, pageSize))
          .compose(p -> writePages(p, after, target, h));
    });
  }

  /** Writes the page's messages from index {@code i} on, waiting for the queue whenever it is congested. */
  private Future<Long> writeFrom(DeliveryRead.Reply page, int i, long after, long target, long highest) {
    long h = highest;
    List<InboxMessage> messages = page.messages();
    for (int k = i; k < messages.size(); k++) {
      InboxMessage m = messages.get(k);
      if (m.seq() <= after) {
        continue;
      }
      if (m.seq() > target || closed.getAsBoolean()) {
        return Future.succeededFuture(h);
      }
      if (congested.getAsBoolean()) {
        long sofar = h;
        int resume = k;
        return drained.get().compose(v -> writeFrom(page, resume, after, target, sofar));
      }
      write.accept(m.toFrameText());
      replayed.accept(m);
      h = m.seq();
    }
    return Future.succeededFuture(h);
  }
}
