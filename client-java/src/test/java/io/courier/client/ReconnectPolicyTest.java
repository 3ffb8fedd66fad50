package io.courier.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.client.ReconnectPolicy.Closed;
import io.courier.client.ReconnectPolicy.Decision;
import io.courier.client.ReconnectPolicy.Failed;
import io.courier.client.ReconnectPolicy.Rejected;
import io.courier.protocol.CloseCodes;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class ReconnectPolicyTest {
  private static final long BASE = 100;
  private static final long CAP = 10_000;
  private static final long STABLE = 5_000;

  /** Random source returning the bound: delays are the ceilings, so expectations are exact. */
  private static ReconnectPolicy policy(int authRetries) {
    return new ReconnectPolicy(new Backoff(BASE, CAP, b -> b), b -> b, authRetries, STABLE);
  }

  private static final Failed NET = new Failed(new IOException("connection refused"));

  @Test
  void networkFailuresBackOffExponentiallyUpToTheCap() {
    ReconnectPolicy p = policy(1);
    long[] expected = {100, 200, 400, 800, 1_600, 3_200, 6_400, 10_000, 10_000};
    for (long e : expected) {
      Decision d = p.decide(NET, null, 0);
      assertThat(d.reconnect()).isTrue();
      assertThat(d.delayMs()).isEqualTo(e);
    }
  }

  @Test
  void aStableConnectionResetsTheBackoffAShortOneDoesNot() {
    ReconnectPolicy p = policy(1);
    p.decide(NET, null, 0);
    p.decide(NET, null, 0);
    p.connected(1_000);
    assertThat(p.decide(new Closed(1006, null), null, 1_000 + STABLE - 1).delayMs()).isEqualTo(400);
    p.connected(10_000);
    assertThat(p.decide(new Closed(1006, null), null, 10_000 + STABLE).delayMs()).isEqualTo(100);
  }

  @Test
  void forbiddenIsFatal() {
    Decision d = policy(1).decide(new Rejected(403, -1), "t", 0);
    assertThat(d.reconnect()).isFalse();
    assertThat(d.fatal()).isInstanceOf(HandshakeRejectedException.class);
    assertThat(((HandshakeRejectedException) d.fatal()).status()).isEqualTo(403);
  }

  @Test
  void unauthorizedIsRetriedWithANewTokenUpToTheLimitThenFatal() {
    ReconnectPolicy p = policy(1);
    Decision first = p.decide(new Rejected(401, -1), "t1", 0);
    assertThat(first.reconnect()).isTrue();
    assertThat(p.alreadyRejected("t1")).isTrue();
    assertThat(p.alreadyRejected("t2")).isFalse();
    Decision second = p.decide(new Rejected(401, -1), "t2", 0);
    assertThat(second.reconnect()).isFalse();
    assertThat(((HandshakeRejectedException) second.fatal()).status()).isEqualTo(401);
  }

  @Test
  void unauthorizedWithZeroRetriesIsFatalAtOnce() {
    assertThat(policy(0).decide(new Rejected(401, -1), "t", 0).reconnect()).isFalse();
  }

  @Test
  void aSessionClearsTheAuthFailures() {
    ReconnectPolicy p = policy(1);
    p.decide(new Rejected(401, -1), "t1", 0);
    p.connected(10);
    assertThat(p.alreadyRejected("t1")).isFalse();
    assertThat(p.decide(new Rejected(401, -1), "t2", 20).reconnect()).isTrue();
  }

  @Test
  void unavailableHonoursRetryAfterPlusAtMostOneBaseOfJitter() {
    ReconnectPolicy p = new ReconnectPolicy(new Backoff(BASE, CAP, b -> b), b -> 37, 1, STABLE);
    assertThat(p.decide(new Rejected(503, 4_000), null, 0).delayMs()).isEqualTo(4_037);
    assertThat(p.attempt()).as("counts as an attempt").isEqualTo(1);
    assertThat(p.decide(new Rejected(503, -1), null, 0).delayMs()).as("no header: backoff").isEqualTo(200);
  }

  @Test
  void perUserLimitHonoursRetryAfterLikeUnavailable() {
    ReconnectPolicy p = new ReconnectPolicy(new Backoff(BASE, CAP, b -> b), b -> 37, 1, STABLE);
    Decision d = p.decide(new Rejected(429, 30_000), null, 0);
    assertThat(d.reconnect()).as("429 is not fatal").isTrue();
    assertThat(d.delayMs()).isEqualTo(30_037);
    assertThat(p.decide(new Rejected(429, -1), null, 0).delayMs()).as("no header: backoff").isEqualTo(200);
  }

  @Test
  void otherStatusesBackOff() {
    ReconnectPolicy p = policy(1);
    assertThat(p.decide(new Rejected(502, -1), null, 0).delayMs()).isEqualTo(100);
    assertThat(p.decide(new Rejected(404, -1), null, 0).delayMs()).isEqualTo(200);
  }

  @Test
  void revokedIsFatalTokenExpiredReconnects() {
    Decision revoked = policy(1).decide(new Closed(CloseCodes.REVOKED, "kicked"), null, 0);
    assertThat(revoked.reconnect()).isFalse();
    assertThat(((ConnectionLostException) revoked.fatal()).closeCode()).isEqualTo(4003);
    Decision expired = policy(1).decide(new Closed(CloseCodes.TOKEN_EXPIRED, "expired"), null, 0);
    assertThat(expired.reconnect()).isTrue();
    assertThat(expired.delayMs()).isEqualTo(100);
  }

  @Test
  void theServersReconnectHintSetsTheDelayOnce() {
    ReconnectPolicy p = policy(1);
    p.connected(0);
    p.serverAsked(3_000, 1_000);
    assertThat(p.serverDeadline()).isEqualTo(4_000);
    Decision d = p.decide(new Closed(CloseCodes.SERVICE_RESTART, "restart"), null, 2_500);
    assertThat(d.delayMs()).isEqualTo(1_500);
    assertThat(p.decide(NET, null, 5_000).delayMs()).as("hint used up: backoff").isEqualTo(100);
  }

  @Test
  void aHintInThePastMeansNow() {
    ReconnectPolicy p = policy(1);
    p.serverAsked(100, 0);
    assertThat(p.decide(new Closed(CloseCodes.GOING_AWAY, null), null, 9_999).delayMs()).isZero();
  }

  @Test
  void goingAwayWithoutAHintBacksOff() {
    assertThat(policy(1).decide(new Closed(CloseCodes.GOING_AWAY, null), null, 0).delayMs()).isEqualTo(100);
  }

  @Test
  void revokedWinsOverAHint() {
    ReconnectPolicy p = policy(1);
    p.serverAsked(100, 0);
    assertThat(p.decide(new Closed(CloseCodes.REVOKED, null), null, 0).reconnect()).isFalse();
  }
}
