package io.courier.client;

import io.courier.protocol.CloseCodes;
import java.util.function.LongUnaryOperator;

/**
 * Decides, after a connection attempt failed or a connection ended, whether to reconnect and when.
 * Pure (clock and randomness are passed in), so every rule below is unit-tested without a network.
 *
 * <ul>
 *   <li>Handshake 403 (origin not allowed, user revoked): fatal.</li>
 *   <li>Handshake 401: the token supplier is asked again on the next attempt. If it returns the very
 *       token that was refused, that is fatal at once; otherwise up to {@code authRetries} consecutive
 *       401s are retried with backoff (an expired cached token gets renewed), then it is fatal.</li>
 *   <li>Handshake 503 (node full or draining) and 429 (the user holds its most connections): wait
 *       {@code Retry-After} plus a jitter of up to one base delay; without the
 *       header, the usual backoff.</li>
 *   <li>Close 4003 (revoked/kicked): fatal. Close 4001 (token expired): reconnect with backoff (each
 *       attempt asks the supplier for a token).</li>
 *   <li>After a server {@code reconnect {afterMs}} frame: reconnect at that deadline, whatever the
 *       close code (1012, 1001) or loss that follows.</li>
 *   <li>Anything else (other statuses and close codes, network errors, timeouts): full-jitter
 *       exponential backoff. A connection that stayed up {@code stableMs} resets the backoff.</li>
 * </ul>
 */
final class ReconnectPolicy {
  /** Why the last connection (attempt) ended. */
  sealed interface Ending {}

  /** The upgrade was refused with an HTTP status. */
  record Rejected(int status, long retryAfterMs) implements Ending {}

  /** The connection was closed; {@code code} is {@link ConnectionLostException#NO_CLOSE_FRAME} without a close frame. */
  record Closed(int code, String reason) implements Ending {}

  /** No connection, or it was abandoned: connect error, timeout, silence, token supplier failure. */
  record Failed(Throwable cause) implements Ending {}

  /** Reconnect after {@code delayMs}, or stop for good when {@code fatal} is set. */
  record Decision(long delayMs, Throwable fatal) {
    boolean reconnect() {
      return fatal == null;
    }
  }

  private final Backoff backoff;
  private final LongUnaryOperator random;
  private final int authRetries;
  private final long stableMs;
  private long connectedAt = -1;
  private long serverDeadline = -1;
  private int authFailures;
  private String rejectedToken;

  ReconnectPolicy(Backoff backoff, LongUnaryOperator random, int authRetries, long stableMs) {
    this.backoff = backoff;
    this.random = random;
    this.authRetries = authRetries;
    this.stableMs = stableMs;
  }

  /** A session started (welcome received). */
  void connected(long nowMs) {
    connectedAt = nowMs;
    authFailures = 0;
    rejectedToken = null;
  }

  /** The server asked us to reconnect after {@code afterMs}. */
  void serverAsked(long afterMs, long nowMs) {
    serverDeadline = nowMs + Math.max(0, afterMs);
  }

  /** The deadline the server gave, or -1. */
  long serverDeadline() {
    return serverDeadline;
  }

  /** The supplier returned {@code token}: true if that exact token was just refused with 401. */
  boolean alreadyRejected(String token) {
    return rejectedToken != null && rejectedToken.equals(token);
  }

  /** Backoff attempts since the last reset. */
  int attempt() {
    return backoff.attempt();
  }

  /**
   * @param token the token used by the attempt that ended (remembered on a 401), may be null
   */
  Decision decide(Ending ending, String token, long nowMs) {
    if (connectedAt >= 0 && nowMs - connectedAt >= stableMs) {
      backoff.reset();
    }
    connectedAt = -1;
    long deadline = serverDeadline;
    serverDeadline = -1;

    if (ending instanceof Rejected r) {
      return rejected(r, token);
    }
    if (ending instanceof Closed c) {
      if (c.code() == CloseCodes.REVOKED) {
        return fatal(new ConnectionLostException(c.code(), c.reason() == null ? "revoked" : c.reason()));
      }
    }
    if (deadline >= 0) {
      return new Decision(Math.max(0, deadline - nowMs), null);
    }
    return new Decision(backoff.next(), null);
  }

  private Decision rejected(Rejected r, String token) {
    int status = r.status();
    if (status == 403) {
      return fatal(new HandshakeRejectedException(status, r.retryAfterMs(), "handshake refused: 403 forbidden"));
    }
    if (status == 401) {
      authFailures++;
      rejectedToken = token;
      if (authFailures > authRetries) {
        return fatal(new HandshakeRejectedException(status, r.retryAfterMs(),
            "handshake refused: 401 (" + authFailures + " times in a row)"));
      }
      return new Decision(backoff.next(), null);
    }
    if ((status == 503 || status == 429) && r.retryAfterMs() >= 0) {
      backoff.next();
      return new Decision(r.retryAfterMs() + Math.max(0, random.applyAsLong(backoff.baseMs())), null);
    }
    return new Decision(backoff.next(), null);
  }

  private static Decision fatal(Throwable cause) {
    return new Decision(-1, cause);
  }
}
