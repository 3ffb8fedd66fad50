package io.courier.client;

import io.courier.protocol.ClientFrames;
import io.courier.protocol.ErrorCodes;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The send side on the client's context: queues sends in the {@link Outbox}, writes them in order
 * while a connection is up, resends (same id) after a reconnect, a retryable error or a timeout,
 * and completes each send's promise with its {@code sent} or a permanent error.
 */
final class SendFlow {
  private static final Logger log = LoggerFactory.getLogger(CourierClient.class);

  /** Errors after which the same send may succeed later. Anything else fails the send for good. */
  static final Set<String> RETRYABLE = Set.of(ErrorCodes.UNAVAILABLE, ErrorCodes.OVERLOADED, ErrorCodes.INTERNAL,
      ErrorCodes.RATE_LIMITED, ErrorCodes.TOKEN_EXPIRED);

  private final Vertx vertx;
  private final CourierClientOptions opts;
  private final Stats stats;
  private final Outbox<Promise<SendReceipt>> outbox;
  private final Backoff retryBackoff;
  private Connection conn;
  private long holdUntil;
  private long holdTimer = -1;
  private long timeoutTimer = -1;
  volatile int size;

  SendFlow(Vertx vertx, CourierClientOptions opts, Stats stats) {
    this.vertx = vertx;
    this.opts = opts;
    this.stats = stats;
    this.outbox = new Outbox<>(opts.getOutboxMaxMessages(), opts.getOutboxMaxBytes());
    this.retryBackoff = Backoff.withDefaultRandom(opts.getSendRetryBaseMs(), opts.getSendRetryCapMs());
  }

  void enqueue(String id, String frame, long bytes, Promise<SendReceipt> promise) {
    Outbox.Refusal refusal = outbox.check(id, bytes);
    if (refusal == Outbox.Refusal.FULL) {
      promise.fail(new OutboxFullException("outbox full (" + outbox.size() + " messages, " + outbox.bytes()
          + " bytes waiting)"));
      return;
    }
    if (refusal == Outbox.Refusal.DUPLICATE_ID) {
      promise.fail(new IllegalArgumentException("a send with id '" + id + "' is already waiting"));
      return;
    }
    outbox.add(id, frame, bytes, promise);
    size = outbox.size();
    pump();
  }

  /** A welcomed connection: start writing. */
  void attach(Connection c) {
    conn = c;
    c.ws.drainHandler(v -> pump());
    long period = Math.max(50, opts.getSendTimeoutMs() / 4);
    timeoutTimer = vertx.setPeriodic(period, t -> resendLate());
    pump();
  }

  /** The connection is gone: everything written goes back in line for the next one. */
  void detach() {
    conn = null;
    if (timeoutTimer >= 0) {
      vertx.cancelTimer(timeoutTimer);
      timeoutTimer = -1;
    }
    outbox.unwriteAll();
  }

  void onSent(JsonObject f) {
    String id = f.getString(ClientFrames.ID);
    if (id == null) {
      id = f.getString(ClientFrames.REF);
    }
    Outbox.Entry<Promise<SendReceipt>> e = id == null ? null : outbox.remove(id);
    if (e == null) {
      log.debug("sent for unknown or already settled id {}", id);
      return;
    }
    size = outbox.size();
    boolean dup = Boolean.TRUE.equals(f.getBoolean(ClientFrames.DUP));
    stats.sendsConfirmed++;
    if (dup) {
      stats.sendsConfirmedDup++;
    }
    e.attachment.tryComplete(new SendReceipt(e.id, f.getLong(ClientFrames.TS, 0L), dup));
    pump();
  }

  /** An {@code error} frame; true if it answered one of the waiting sends. */
  boolean onError(String code, String message, String ref) {
    Outbox.Entry<Promise<SendReceipt>> e = ref == null ? null : outbox.get(ref);
    if (e == null) {
      return false;
    }
    if (RETRYABLE.contains(code)) {
      if (outbox.retry(ref) != null) {
        stats.sendRetries++;
        long delay = retryBackoff.delay(Math.min(30, e.retries - 1));
        holdFor(delay);
        log.debug("send {} answered {}, resending in {} ms", ref, code, delay);
      }
      return true;
    }
    outbox.remove(ref);
    size = outbox.size();
    stats.sendsFailed++;
    e.attachment.tryFail(new ServerErrorException(code, message == null ? code : message));
    pump();
    return true;
  }

  /** Fails every waiting send (the client is closing). */
  void failAll(Throwable cause) {
    for (Outbox.Entry<Promise<SendReceipt>> e : outbox.drain()) {
      stats.sendsFailed++;
      e.attachment.tryFail(cause);
    }
    size = 0;
    if (holdTimer >= 0) {
      vertx.cancelTimer(holdTimer);
      holdTimer = -1;
    }
  }

  int inFlight() {
    return outbox.inFlight();
  }

  /** Writes the oldest unwritten sends while the connection takes them and the window allows. */
  void pump() {
    Connection c = conn;
    if (c == null || holdTimer >= 0) {
      return;
    }
    long now = System.currentTimeMillis();
    while (outbox.inFlight() < opts.getMaxInFlight() && c.writable()) {
      Outbox.Entry<Promise<SendReceipt>> e = outbox.nextToWrite(now);
      if (e == null) {
        return;
      }
      stats.sendsWritten++;
      c.write(e.frame);
    }
  }

  /** Stops writing until {@code delayMs} from now: the retried send goes first, order is kept. */
  private void holdFor(long delayMs) {
    long until = System.currentTimeMillis() + delayMs;
    if (holdTimer >= 0) {
      if (until <= holdUntil) {
        return;
      }
      vertx.cancelTimer(holdTimer);
    }
    holdUntil = until;
    holdTimer = vertx.setTimer(Math.max(1, delayMs), t -> {
      holdTimer = -1;
      pump();
    });
  }

  private void resendLate() {
    int late = outbox.unwriteOlderThan(System.currentTimeMillis() - opts.getSendTimeoutMs()).size();
    if (late > 0) {
      log.debug("{} sends unanswered after {} ms, writing them again", late, opts.getSendTimeoutMs());
      pump();
    }
  }
}
