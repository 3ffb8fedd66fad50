package io.courier.connection.inbox;

import io.courier.connection.GatewayMetrics;
import io.courier.connection.GatewaySettings;
import io.courier.connection.session.DeliveryClient;
import io.courier.protocol.CloseCodes;
import io.courier.protocol.InboxMessage;
import io.courier.protocol.MsgFrame;
import io.courier.protocol.bus.DeliveryRead;
import io.vertx.core.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's live pushes: released in seq order after welcome ({@link InboxSequencer}),
 * gaps read from the store after a short wait, written once and kept until acked
 * ({@link UnackedBuffer}), retransmitted on schedule. A store found without what was already
 * released in the same epoch (it went back: {@link RollbackCheck}) closes the connection with 1012.
 * Runs on the connection's context.
 */
public final class LiveStream {
  private static final Logger LOG = LoggerFactory.getLogger(LiveStream.class);
  private final Context context;
  private final DeliveryClient delivery;
  private final String userId;
  private final GatewaySettings settings;
  private final Consumer<String> write;
  private final BiConsumer<Short, String> close;
  private final InboxSequencer sequencer;
  private final UnackedBuffer unacked;
  private final GatewayMetrics metrics;
  private String epoch;
  /**
   * The id and ts of the message at seq {@code releasedIdSeq}, the last one written live (-1: none
   * yet), to tell a late duplicate push from another message at a released seq. Set only when
   * messages flow: an idle connection holds just these fields.
   */
  private String releasedId;
  private long releasedTs;
  private long releasedIdSeq = -1;
  private boolean checkingRollback;
  private long gapTimer = -1;
  private boolean gapFilling;
  private boolean stopped;

  public LiveStream(Context context, DeliveryClient delivery, String userId, GatewaySettings settings,
             Consumer<String> write, BiConsumer<Short, String> close, GatewayMetrics metrics) {
    this.metrics = metrics;
    this.context = context;
    this.delivery = delivery;
    this.userId = userId;
    this.settings = settings;
    this.write = write;
    this.close = close;
    this.sequencer = new InboxSequencer(Math.max(16, settings.maxUnacked()));
    this.unacked = new UnackedBuffer(settings.retransmitInitialMs(), settings.retransmitMaxMs());
  }

  public boolean started() {
    return sequencer.started();
  }

  public int unackedCount() {
    return unacked.size();
  }

  /** Live delivery starts after the welcome's lastSeq; pushes that came earlier and are newer go out now. */
  public void start(String epoch, long lastSeq) {
    this.epoch = epoch;
    writeLive(sequencer.start(lastSeq));
    afterOffer();
  }

  public void onPush(String pushEpoch, MsgFrame frame) {
    if (stopped) {
      return;
    }
    if (epoch != null && !epoch.equals(pushEpoch)) {
      checkEpoch(pushEpoch);
      return;
    }
    if (sequencer.started() && frame.seq() <= sequencer.released()) {
      // Already released: normally a late duplicate (a gap read got there first). Another
      // message at a released seq means the store may have gone back and is handing seqs out again.
      if (!isReleasedMessage(frame)) {
        checkRollback();
      }
      return;
    }
    writeLive(sequencer.offer(frame));
    afterOffer();
  }

  /**
   * A message a sync replay wrote on this connection. At the released seq, when the live stream
   * did not write that seq itself (it started after the welcome's lastSeq), it becomes the known
   * message there. At the seq of the last live message, another message means the store went back.
   */
  public void replayed(InboxMessage m) {
    if (stopped || !sequencer.started() || !m.epoch().equals(epoch)) {
      return;
    }
    if (m.seq() == releasedIdSeq) {
      if (!RollbackCheck.sameMessage(m, releasedId, releasedTs)) {
        checkRollback();
      }
    } else if (m.seq() == sequencer.released()) {
      releasedId = m.id();
      releasedTs = m.ts();
      releasedIdSeq = m.seq();
    }
  }

  private boolean isReleasedMessage(MsgFrame frame) {
    if (frame.seq() == releasedIdSeq) {
      return RollbackCheck.samePush(frame, releasedId, releasedTs);
    }
    return RollbackCheck.samePush(frame, unacked.frameAt(frame.seq()));
  }

  /**
   * Asks the store whether it still holds what this connection released (one check at a time).
   * Nothing more is released meanwhile: past a rollback, the seqs after the released one belong to
   * a second history, and a client given them would take them for the continuation of the first.
   */
  private void checkRollback() {
    if (checkingRollback || stopped) {
      return;
    }
    checkingRollback = true;
    sequencer.hold();
    long r = sequencer.released();
    String id = releasedIdSeq == r ? releasedId : null;
    long ts = releasedTs;
    delivery.read(userId, r - 1, 1).onComplete(ar -> {
      checkingRollback = false;
      if (stopped || (ar.succeeded() && wentBack(r, id, ts, ar.result()))) {
        return;
      }
      writeLive(sequencer.resume());
      afterOffer();
    });
  }

  /**
   * True (and the connection closed with 1012) when {@code page}, read in this connection's epoch,
   * shows the store without what was released up to {@code r}: the client reconnects and its sync,
   * carrying the proof of its position, is answered with the whole inbox and {@code reset}.
   */
  private boolean wentBack(long r, String id, long ts, DeliveryRead.Reply page) {
    if (!page.epoch().equals(epoch)
        || !RollbackCheck.liveRolledBack(r, id, ts, page.lastSeq(), RollbackCheck.messageAt(page.messages(), r))) {
      return false;
    }
    LOG.atWarn().addKeyValue("userId", userId).addKeyValue("released", r).addKeyValue("storeLastSeq", page.lastSeq())
        .addKeyValue("epoch", epoch).log("inbox rolled back");
    metrics.inboxRolledBack(io.courier.protocol.MetricNames.DETECTED_LIVE);
    stop();
    close.accept(CloseCodes.SERVICE_RESTART, "inbox rolled back; reconnect and sync");
    return true;
  }

  /**
   * Reads what the store holds past the last released seq and releases it: used when pushes may
   * have been lost with a departed cluster member and no later push would reveal the gap.
   */
  public void catchUp() {
    if (stopped || !sequencer.started() || gapFilling) {
      return;
    }
    gapFilling = true;
    long after = sequencer.released();
    delivery.read(userId, after, settings.syncPage()).onComplete(ar -> {
      gapFilling = false;
      if (stopped || (ar.succeeded() && wentBack(after, null, 0, ar.result()))) {
        return;
      }
      if (ar.succeeded() && ar.result().epoch().equals(epoch)) {
        writeLive(sequencer.fill(outs(ar.result().messages()), ar.result().firstAvailable()));
      }
      afterOffer();
    });
  }

  private static List<MsgFrame> outs(List<InboxMessage> messages) {
    List<MsgFrame> outs = new ArrayList<>(messages.size());
    for (InboxMessage m : messages) {
      outs.add(MsgFrame.of(m));
    }
    return outs;
  }

  public void ack(long seq) {
    long now = System.currentTimeMillis();
    int n = unacked.ack(seq, acceptedAt -> metrics.acked(acceptedAt, now));
    metrics.unackedChanged(-n);
  }

  public void retransmitDue(long now) {
    if (sequencer.started()) {
      List<String> due = unacked.due(now);
      for (String frame : due) {
        write.accept(frame);
      }
      if (!due.isEmpty()) {
        metrics.retransmitted(due.size());
      }
    }
  }

  public void stop() {
    if (!stopped) {
      metrics.unackedChanged(-unacked.size());
    }
    stopped = true;
    if (gapTimer >= 0) {
      context.owner().cancelTimer(gapTimer);
    }
  }

  /**
   * A push from another inbox generation: either a late push of the old one (dropped) or the
   * store lost the inbox and started a new one. The store decides. On a new epoch the connection
   * is closed with 1012: the client reconnects, its welcome carries the new epoch, and its sync
   * replays the new generation from seq 1.
   */
  private void checkEpoch(String pushEpoch) {
    long released = sequencer.released();
    delivery.read(userId, 0, 0).onSuccess(head -> {
      if (stopped || wentBack(released, null, 0, head)) {
        return;
      }
      if (!head.epoch().equals(epoch) && head.epoch().equals(pushEpoch)) {
        close.accept(CloseCodes.SERVICE_RESTART, "inbox epoch changed; reconnect and sync");
      }
    });
  }

  private void afterOffer() {
    if (!sequencer.hasGap() || gapFilling) {
      return;
    }
    if (sequencer.overflowing()) {
      fillGap();
    } else if (gapTimer < 0) {
      gapTimer = context.owner().setTimer(settings.gapWaitMs(), id -> {
        gapTimer = -1;
        if (sequencer.hasGap()) {
          fillGap();
        }
      });
    }
  }

  /** A push is held for an earlier seq that did not come: read the missing range from the store. */
  private void fillGap() {
    gapFilling = true;
    long after = sequencer.released();
    int limit = (int) Math.max(1, Math.min(sequencer.firstHeld() - 1 - after, settings.syncPage()));
    delivery.read(userId, after, limit).onComplete(ar -> {
      gapFilling = false;
      if (stopped || (ar.succeeded() && wentBack(after, null, 0, ar.result()))) {
        return;
      }
      if (ar.succeeded() && ar.result().epoch().equals(epoch)) {
        writeLive(sequencer.fill(outs(ar.result().messages()), ar.result().firstAvailable()));
      }
      afterOffer();
    });
  }

  private void writeLive(List<MsgFrame> outs) {
    long now = System.currentTimeMillis();
    for (MsgFrame o : outs) {
      write.accept(o.text());
      // ts is when the store accepted the message: the delivery-latency metric starts there.
      metrics.delivered(o.ts(), now);
      if (!stopped && unacked.track(o, now)) {
        metrics.unackedChanged(1);
      }
    }
    if (!outs.isEmpty()) {
      MsgFrame last = outs.get(outs.size() - 1);
      releasedId = last.id();
      releasedTs = last.ts();
      releasedIdSeq = last.seq();
    }
    if (unacked.size() > settings.maxUnacked()) {
      // A client that never acks would grow this without bound; its messages stay in the inbox.
      metrics.slowConsumerClosed(io.courier.protocol.MetricNames.SLOW_UNACKED);
      close.accept(CloseCodes.TRY_AGAIN_LATER, "too many un-acked messages");
    }
  }
}
