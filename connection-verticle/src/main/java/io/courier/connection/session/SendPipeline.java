package io.courier.connection.session;

import io.courier.connection.GatewayMetrics;
import io.courier.protocol.ClientFrame;
import io.courier.protocol.ErrorCodes;
import io.courier.protocol.MetricNames;
import io.courier.protocol.ServerFrames;
import io.vertx.core.Future;
import java.util.function.Supplier;

/**
 * One connection's sends and room requests, handed to delivery one at a time: the next goes only
 * after the previous one is done, so they are stored in the order they arrived. At most
 * COURIER_MAX_PENDING_SENDS wait; past that a request is refused with {@code rate_limited}. A send
 * also takes one token of the user's cluster-wide allowance ({@link UserSendLimiter}), in the same
 * order, so its answers keep that order too.
 */
final class SendPipeline {
  private final Session session;
  private final DeliveryClient delivery;
  private final UserSendLimiter userSends;
  private final GatewayMetrics metrics;
  private final int maxPending;
  private int pending;
  private Future<Void> chain = Future.succeededFuture();

  SendPipeline(Session session, SessionServices services) {
    this.session = session;
    this.delivery = services.delivery();
    this.userSends = services.userSends();
    this.metrics = services.metrics();
    this.maxPending = services.settings().maxPendingSends();
  }

  /** A {@code send}; a room send is checked for membership by delivery, where membership lives. */
  void send(ClientFrame.Send f) {
    enqueue("too many sends waiting to be stored; resend later", f.ref(), () -> allowance().compose(allowed -> {
      if (!allowed) {
        metrics.rateLimited(MetricNames.LIMIT_USER_SENDS);
        session.writeError(ErrorCodes.RATE_LIMITED, "too many sends per second from this user; resend later",
            f.ref());
        session.strike(System.currentTimeMillis());
        return Future.<Void>succeededFuture();
      }
      return delivery.send(session.userId(), f).transform(ar -> {
        if (ar.succeeded()) {
          session.write(ServerFrames.sentText(f.id(), ar.result().ts(), ar.result().dup(), f.ref()));
        } else {
          session.writeFailure(ar.cause(), f.ref());
        }
        return Future.<Void>succeededFuture();
      });
    }));
  }

  /**
   * Runs {@code step} after every request queued before it. Refused with {@code refusal} when
   * COURIER_MAX_PENDING_SENDS are waiting already: the store is behind, not the client out of line,
   * so the refusal is no strike.
   */
  void enqueue(String refusal, String ref, Supplier<Future<Void>> step) {
    if (pending >= maxPending) {
      metrics.rateLimited(MetricNames.LIMIT_PENDING_SENDS);
      session.writeError(ErrorCodes.RATE_LIMITED, refusal, ref);
      return;
    }
    pending++;
    metrics.pendingSendsChanged(1);
    chain = chain.transform(ignored -> step.get()).eventually(() -> {
      pending--;
      metrics.pendingSendsChanged(-1);
      return Future.succeededFuture();
    });
  }

  private Future<Boolean> allowance() {
    return userSends == null || session.isClosed() ? Future.succeededFuture(true)
        : userSends.acquire(session.userId(), System.currentTimeMillis());
  }
}
