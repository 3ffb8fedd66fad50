package io.courier.client;

import io.courier.protocol.ClientFrames;
import io.courier.protocol.InboxMessage;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receive side on the client's context: adopts the epoch of each {@code welcome}, syncs from
 * {@code lastSeq} (with the id and ts of the message at it as proof), feeds {@code msg} frames
 * through the {@link InboxTracker}, hands deliverable messages to the application, acks
 * cumulatively (coalesced), reports truncation, epoch resets and rollbacks, and repairs a gap that
 * does not fill by itself with another {@code sync}.
 */
final class InboxFlow {
  private static final Logger log = LoggerFactory.getLogger(CourierClient.class);
  private static final String SYNC_REF_PREFIX = "sync-";

  /** Called when the server's frames contradict the current epoch: the engine reconnects. */
  interface EpochTrouble {
    void onEpochMismatch(String reason);
  }

  private final Vertx vertx;
  private final Context ctx;
  private final CourierClientOptions opts;
  private final Stats stats;
  private final Listeners listeners;
  private final InboxTracker tracker;
  private final EpochTrouble trouble;
  private Connection conn;
  private boolean ackScheduled;
  private boolean ackForced;
  private long syncCounter;
  private String syncRef;
  private long syncAfter;
  private long gapTimer = -1;
  /** A message beyond the reorder buffer was dropped since the last sync. */
  private boolean droppedAhead;
  volatile long lastSeq;
  volatile String epoch;
  volatile InboxPosition position;

  InboxFlow(Vertx vertx, Context ctx, CourierClientOptions opts, Stats stats, Listeners listeners,
            EpochTrouble trouble) {
    this.vertx = vertx;
    this.ctx = ctx;
    this.opts = opts;
    this.stats = stats;
    this.listeners = listeners;
    this.trouble = trouble;
    this.tracker = new InboxTracker(opts.getResumeEpoch(), opts.getResumeLastSeq(), opts.getResumeLastId(),
        opts.getResumeLastTs(), opts.getMaxBufferedAhead(), opts.getMaxRecentKeys());
    publish();
  }

  /**
   * A {@code welcome} arrived on {@code c}: adopt its epoch, then sync from where we are. A welcome
   * in our epoch whose {@code lastSeq} is below ours means the inbox rolled back: report it and sync
   * everything the store holds, delivered by key.
   */
  void attach(Connection c, String welcomeEpoch, long welcomeLastSeq) {
    conn = c;
    InboxTracker.EpochChange change = tracker.adoptEpoch(welcomeEpoch);
    if (change != null) {
      log.warn("inbox epoch changed from {} to {}; messages after seq {} of the old epoch that were not "
          + "received are lost", change.previousEpoch(), change.newEpoch(), change.previousLastSeq());
      stats.losses++;
      listeners.loss(new InboxLoss(InboxLoss.Reason.EPOCH_RESET, change.previousEpoch(),
          change.previousLastSeq() + 1, -1, change.newEpoch()));
    } else if (welcomeLastSeq < tracker.lastSeq() && !tracker.resetting()) {
      rolledBack(tracker.lastSeq(), "welcome lastSeq " + welcomeLastSeq);
      tracker.startReset();
    }
    publish();
    stats.bufferedNow = tracker.buffered();
    sendSync();
  }

  void detach() {
    conn = null;
    syncRef = null;
    ackScheduled = false;
    ackForced = false;
    cancelGapTimer();
  }

  void onMsg(JsonObject f) {
    InboxMessage m = toMessage(f);
    if (m == null) {
      log.warn("malformed msg frame ignored (seq and epoch are required)");
      return;
    }
    InboxTracker.Offer offer = tracker.offer(m);
    switch (offer.outcome()) {
      case DELIVERED -> deliver(offer.deliverable());
      case DUPLICATE -> {
        stats.duplicatesDropped++;
        // The server still has it as un-acked (a retransmit or replay): make sure it hears our ack.
        scheduleAck(true);
      }
      case BUFFERED -> scheduleGapRepair();
      case HELD -> { } // the sync's answer decides
      case TOO_FAR_AHEAD -> {
        stats.tooFarAheadDropped++;
        droppedAhead = true;
        scheduleGapRepair();
      }
      case OTHER_EPOCH -> trouble.onEpochMismatch("msg seq " + m.seq() + " of epoch " + m.epoch()
          + " while in epoch " + tracker.epoch());
    }
    stats.bufferedNow = tracker.buffered();
  }

  void onSynced(JsonObject f) {
    String ref = f.getString(ClientFrames.REF);
    if (ref != null && !ref.equals(syncRef)) {
      return; // the answer to an older sync
    }
    syncRef = null;
    String syncedEpoch = f.getString(ClientFrames.EPOCH);
    if (syncedEpoch != null && !syncedEpoch.equals(tracker.epoch())) {
      trouble.onEpochMismatch("synced in epoch " + syncedEpoch + " while in epoch " + tracker.epoch());
      return;
    }
    long upTo = f.getLong(ClientFrames.UP_TO, 0L);
    boolean reset = Boolean.TRUE.equals(f.getBoolean(ClientFrames.RESET));
    boolean repairing = tracker.resetting();
    if (reset && !repairing) {
      rolledBack(syncAfter, "the server reset the sync");
    }
    InboxTracker.SyncEnd end = tracker.endSync(reset, upTo);
    if (end.resetEnded()) {
      publish();
      deliver(end.deliverable());
      scheduleAck(true);
      stats.bufferedNow = tracker.buffered();
      if (end.heldOverflow()) {
        // More held messages than the buffer keeps: fetch everything again, delivered by key.
        tracker.startReset();
        sendSync();
      } else if (tracker.hasGap()) {
        scheduleGapRepair();
      }
      return;
    }
    long firstAvailable = f.getLong(ClientFrames.FIRST_AVAILABLE, 0L);
    if (Boolean.TRUE.equals(f.getBoolean(ClientFrames.TRUNCATED)) && firstAvailable - 1 > tracker.lastSeq()) {
      long from = tracker.lastSeq() + 1;
      long to = firstAvailable - 1;
      log.warn("inbox truncated by retention: seq {}..{} of epoch {} are gone", from, to, tracker.epoch());
      List<InboxMessage> now = tracker.skipTo(to);
      publish();
      stats.losses++;
      listeners.loss(new InboxLoss(InboxLoss.Reason.TRUNCATED, tracker.epoch(), from, to, null));
      deliver(now);
      scheduleAck(false);
    }
    if (tracker.lastSeq() < upTo) {
      // The replay did not fill everything it covered (messages beyond the reorder buffer were dropped).
      if (tracker.lastSeq() > syncAfter) {
        sendSync();
      } else {
        scheduleGapRepair();
      }
    } else if (tracker.hasGap() || droppedAhead) {
      scheduleGapRepair();
    }
    stats.bufferedNow = tracker.buffered();
  }

  /** An {@code error} frame; true if it answered our sync. */
  boolean onError(String code, String ref) {
    if (ref == null || !ref.startsWith(SYNC_REF_PREFIX)) {
      return false;
    }
    if (ref.equals(syncRef)) {
      log.warn("sync refused ({}); retrying in {} ms", code, opts.getGapRepairMs());
      syncRef = null;
      Connection c = conn;
      vertx.setTimer(opts.getGapRepairMs(), id -> {
        if (conn == c && c != null && syncRef == null) {
          sendSync();
        }
      });
    }
    return true;
  }

  String epoch() {
    return tracker.epoch();
  }

  private void deliver(List<InboxMessage> messages) {
    if (messages.isEmpty()) {
      return;
    }
    publish();
    for (InboxMessage m : messages) {
      stats.delivered++;
      listeners.message(m);
    }
    scheduleAck(false);
  }

  private void sendSync() {
    Connection c = conn;
    if (c == null) {
      return;
    }
    syncRef = SYNC_REF_PREFIX + (++syncCounter);
    droppedAhead = false;
    tracker.beginSync();
    if (tracker.resetting()) {
      // Repairing a rollback: everything the store holds, delivered by key.
      syncAfter = 0;
      stats.syncs++;
      c.write(ClientFrames.sync(0, tracker.epoch(), null, 0, syncRef));
      return;
    }
    syncAfter = tracker.lastSeq();
    stats.syncs++;
    c.write(ClientFrames.sync(syncAfter, tracker.epoch(), tracker.lastId(), tracker.lastTs(), syncRef));
  }

  /** The inbox went back to an older state in our epoch: say so once per rollback. */
  private void rolledBack(long clientLastSeq, String how) {
    log.warn("inbox of epoch {} rolled back ({}, client at seq {}); messages stored after seq {} that were not "
        + "received are lost; delivering by message id until the store's messages are replayed",
        tracker.epoch(), how, clientLastSeq, clientLastSeq);
    stats.losses++;
    listeners.loss(new InboxLoss(InboxLoss.Reason.ROLLBACK, tracker.epoch(), clientLastSeq + 1, -1, null));
  }

  /** One cumulative ack per event-loop turn (or per {@code ackDelayMs}). */
  private void scheduleAck(boolean force) {
    Connection c = conn;
    if (c == null) {
      return; // nothing to ack on; the next connection syncs from lastSeq
    }
    ackForced |= force;
    if (ackScheduled) {
      return;
    }
    ackScheduled = true;
    if (opts.getAckDelayMs() == 0) {
      ctx.runOnContext(v -> flushAck(c));
    } else {
      vertx.setTimer(opts.getAckDelayMs(), t -> flushAck(c));
    }
  }

  private void flushAck(Connection c) {
    if (c != conn || c == null || !ackScheduled) {
      return;
    }
    ackScheduled = false;
    long seq = tracker.lastSeq();
    if (tracker.resetting()) {
      ackForced = false;
      return; // our seq is not the store's until the reset's synced
    }
    if (seq > 0 && (seq > c.ackedSeq || ackForced)) {
      c.ackedSeq = seq;
      stats.acks++;
      c.write(ClientFrames.ack(seq));
    }
    ackForced = false;
  }

  /** If a gap is still there, unchanged, after {@code gapRepairMs}, sync from {@code lastSeq}. */
  private void scheduleGapRepair() {
    if (gapTimer >= 0 || conn == null) {
      return;
    }
    long mark = tracker.lastSeq();
    gapTimer = vertx.setTimer(opts.getGapRepairMs(), t -> {
      gapTimer = -1;
      if (conn == null || !(tracker.hasGap() || droppedAhead)) {
        return;
      }
      if (tracker.lastSeq() == mark) {
        log.debug("inbox gap after seq {} did not fill; syncing", mark);
        sendSync();
      } else {
        scheduleGapRepair();
      }
    });
  }

  private void cancelGapTimer() {
    if (gapTimer >= 0) {
      vertx.cancelTimer(gapTimer);
      gapTimer = -1;
    }
  }

  private void publish() {
    position = new InboxPosition(tracker.epoch(), tracker.lastSeq(), tracker.lastId(), tracker.lastTs());
    lastSeq = tracker.lastSeq();
    epoch = tracker.epoch();
  }

  static InboxMessage toMessage(JsonObject f) {
    Object seq = f.getValue(ClientFrames.SEQ);
    String epoch = f.getString(ClientFrames.EPOCH);
    if (!(seq instanceof Number n) || epoch == null) {
      return null;
    }
    Object ts = f.getValue(ClientFrames.TS);
    return new InboxMessage(n.longValue(), epoch, f.getString(ClientFrames.ID), f.getString(ClientFrames.FROM),
        f.getString(ClientFrames.TO), f.getString(ClientFrames.ROOM), Json.encode(f.getValue(ClientFrames.BODY)),
        ts instanceof Number t ? t.longValue() : 0L);
  }
}
