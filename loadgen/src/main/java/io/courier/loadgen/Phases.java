package io.courier.loadgen;

import io.vertx.core.json.JsonObject;

/**
 * The delivery checks of one run: the measured window's and, with --warmup, the warm-up's before
 * it. A message belongs to the phase it was sent in, for good: its body carries {@code "w":1} when
 * sent during the warm-up, so its confirmation, arrival, latency, loss or duplication count in that
 * phase even when they happen during the window. Warm-up messages are checked like the others
 * (every one delivered once), but their figures are reported apart and stay out of the window's.
 */
final class Phases {
  /** The body field that marks a warm-up message. */
  static final String WARMUP_FIELD = "w";

  final Delivery measured;
  /** Null without a warm-up. */
  final Delivery warmup;
  private volatile boolean warming;

  Phases(int users, boolean withWarmup) {
    measured = new Delivery(users);
    warmup = withWarmup ? new Delivery(users) : null;
    warming = withWarmup;
  }

  /** The phase a send made now belongs to. */
  Delivery current() {
    return warming ? warmup : measured;
  }

  boolean warming() {
    return warming;
  }

  /**
   * Ends the warm-up: sends made from now on belong to the window. Call once every send handed
   * out during the warm-up has been made (after {@link Fleet#barrier()}), so none is counted in
   * the window.
   */
  void endWarmup() {
    warming = false;
  }

  /** The phase of a received message whose body does ({@code marked}) or does not carry the warm-up mark. */
  Delivery of(boolean marked) {
    return warmup != null && marked ? warmup : measured;
  }

  /** The phase of a received message, from its body. */
  Delivery of(JsonObject body) {
    return warmup != null && body != null && body.containsKey(WARMUP_FIELD) ? warmup : measured;
  }

  /** Every send of the phase confirmed (or refused) and every confirmed one delivered; true without it. */
  static boolean settled(Delivery d) {
    return d == null || (d.unconfirmed() == 0 && d.confirmedCount.sum() <= d.received.sum() && d.lost() == 0);
  }
}
