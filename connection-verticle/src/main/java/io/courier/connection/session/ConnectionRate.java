package io.courier.connection.session;

import io.courier.connection.GatewaySettings;

/**
 * One connection's inbound rate limits: frames per second and bytes per second (each a
 * {@link TokenBucket}, off when its rate is 0) and the strikes that turn repeated refusals into a
 * 1008 close. Plain class, confined to the connection's context.
 */
final class ConnectionRate {
  /** What {@link #admit} decided. */
  enum Verdict { OK, FRAMES, BYTES }

  private final TokenBucket frames;
  private final TokenBucket bytes;
  private final StrikeCounter strikes;

  ConnectionRate(GatewaySettings.Rates r, long nowMs) {
    frames = r.framesPerS() > 0 ? new TokenBucket(r.framesPerS(), r.framesBurst(), nowMs) : null;
    bytes = r.bytesPerS() > 0 ? new TokenBucket(r.bytesPerS(), r.bytesBurst(), nowMs) : null;
    strikes = new StrikeCounter(r.strikes(), r.strikeWindowMs());
  }

  /** Charges one frame of {@code size} bytes; a refused frame costs nothing. */
  Verdict admit(int size, long nowMs) {
    if (frames != null && !frames.fits(1, nowMs)) {
      return Verdict.FRAMES;
    }
    if (bytes != null && !bytes.fits(size, nowMs)) {
      return Verdict.BYTES;
    }
    if (frames != null) {
      frames.take(1);
    }
    if (bytes != null) {
      bytes.take(size);
    }
    return Verdict.OK;
  }

  /** Records a rate_limited answer; true when the connection has earned its 1008. */
  boolean strike(long nowMs) {
    return strikes.strike(nowMs);
  }
}
