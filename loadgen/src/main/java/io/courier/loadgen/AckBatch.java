package io.courier.loadgen;

import io.vertx.core.Context;
import java.util.ArrayList;
import java.util.List;

/**
 * The delayed cumulative acks of every connection on one context, sent by one timer: a connection
 * that received a `msg` joins the batch, and at most {@link #DELAY_MS} later each one in it acks
 * up to its contiguous seq. One timer per context and interval instead of one per connection
 * and message, which at a few messages per second per connection would be one timer per message.
 * Used only on its context.
 */
final class AckBatch {
  /** How long an ack may wait: arrivals within it are acked with one frame. */
  static final long DELAY_MS = 20;

  private final Context ctx;
  private List<Conn> due = new ArrayList<>();
  private List<Conn> spare = new ArrayList<>();
  private boolean armed;

  AckBatch(Context ctx) {
    this.ctx = ctx;
  }

  /** {@code conn} acks at the next flush; call once per flush (the connection remembers it asked). */
  void add(Conn conn) {
    due.add(conn);
    if (!armed) {
      armed = true;
      ctx.owner().setTimer(DELAY_MS, t -> ctx.runOnContext(v -> flush()));
    }
  }

  private void flush() {
    armed = false;
    List<Conn> now = due;
    due = spare;
    spare = now;
    for (Conn c : now) {
      c.ackNow();
    }
    now.clear();
  }
}
