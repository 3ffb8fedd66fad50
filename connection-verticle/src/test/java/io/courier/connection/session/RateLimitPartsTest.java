package io.courier.connection.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.connection.GatewaySettings;
import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The plain parts of the rate limits: token bucket, strikes, per-connection verdicts, per-user leases. */
class RateLimitPartsTest {

  @Test
  void bucketAdmitsExactlyItsBurstThenRefillsAtItsRate() {
    TokenBucket b = new TokenBucket(10, 5, 0);
    for (int i = 0; i < 5; i++) {
      assertThat(b.fits(1, 0)).isTrue();
      b.take(1);
    }
    assertThat(b.fits(1, 0)).isFalse();
    assertThat(b.fits(1, 99)).isFalse();
    assertThat(b.fits(1, 100)).isTrue();
    // Never above the burst however long it waits.
    assertThat(b.tokens(1_000_000)).isEqualTo(5.0);
  }

  @Test
  void aCostAboveTheBurstPassesOnAFullBucketAndLeavesADebt() {
    TokenBucket b = new TokenBucket(100, 10, 0);
    assertThat(b.fits(25, 0)).isTrue();
    b.take(25);
    assertThat(b.tokens(0)).isEqualTo(-15.0);
    assertThat(b.fits(1, 150)).isFalse();
    assertThat(b.fits(1, 160)).isTrue();
  }

  @Test
  void strikesTripOnTheLimitthWithinTheWindowOnly() {
    StrikeCounter s = new StrikeCounter(3, 1000);
    assertThat(s.strike(0)).isFalse();
    assertThat(s.strike(10)).isFalse();
    assertThat(s.strike(20)).isTrue();
    StrikeCounter slow = new StrikeCounter(3, 1000);
    assertThat(slow.strike(0)).isFalse();
    assertThat(slow.strike(600)).isFalse();
    assertThat(slow.strike(1000)).as("the first fell out of the window").isFalse();
    assertThat(slow.strike(1100)).isTrue();
    assertThat(new StrikeCounter(0, 1000).strike(0)).as("0 never trips").isFalse();
  }

  @Test
  void connectionRateRefusesByFramesThenByBytesAndARefusalCostsNothing() {
    ConnectionRate r = new ConnectionRate(new GatewaySettings.Rates(0.001, 3, 0.001, 100, 2, 10_000), 0);
    assertThat(r.admit(40, 0)).isEqualTo(ConnectionRate.Verdict.OK);
    assertThat(r.admit(40, 0)).isEqualTo(ConnectionRate.Verdict.OK);
    assertThat(r.admit(40, 0)).as("20 bytes left").isEqualTo(ConnectionRate.Verdict.BYTES);
    assertThat(r.admit(20, 0)).as("the refused frame took no frame token").isEqualTo(ConnectionRate.Verdict.OK);
    assertThat(r.admit(1, 0)).isEqualTo(ConnectionRate.Verdict.FRAMES);
    assertThat(r.strike(0)).isFalse();
    assertThat(r.strike(1)).isTrue();
  }

  @Test
  void zeroRatesTurnTheBucketsOff() {
    ConnectionRate r = new ConnectionRate(new GatewaySettings.Rates(0, 1, 0, 1, 0, 1), 0);
    for (int i = 0; i < 10_000; i++) {
      assertThat(r.admit(1 << 20, 0)).isEqualTo(ConnectionRate.Verdict.OK);
    }
  }

  /** Buckets answered by hand: each lease waits until the test completes it. */
  private static final class FakeBuckets implements UserSendLimiter.Buckets {
    final List<Promise<SendBucket.Grant>> calls = new ArrayList<>();
    final List<Integer> wants = new ArrayList<>();

    @Override
    public Future<SendBucket.Grant> lease(String userId, int want) {
      Promise<SendBucket.Grant> p = Promise.promise();
      calls.add(p);
      wants.add(want);
      return p.future();
    }
  }

  @Test
  void leasesInBatchesSpendsLocallyAndSharesOneLeaseBetweenWaiters() {
    FakeBuckets buckets = new FakeBuckets();
    int[] leases = {0};
    UserSendLimiter l = new UserSendLimiter(buckets, 3, () -> leases[0]++);
    Future<Boolean> a = l.acquire("u", 0);
    Future<Boolean> b = l.acquire("u", 0);
    assertThat(buckets.calls).hasSize(1);
    assertThat(buckets.wants).containsExactly(3);
    buckets.calls.get(0).complete(new SendBucket.Grant(3, 0));
    assertThat(a.result()).isTrue();
    assertThat(b.result()).isTrue();
    assertThat(l.acquire("u", 1).result()).as("the third token, spent locally").isTrue();
    assertThat(buckets.calls).hasSize(1);
    assertThat(leases[0]).isEqualTo(1);
  }

  @Test
  void anEmptyBucketRefusesWithoutAnotherCallUntilItsRetryTime() {
    FakeBuckets buckets = new FakeBuckets();
    UserSendLimiter l = new UserSendLimiter(buckets, 5, () -> {});
    Future<Boolean> first = l.acquire("u", 0);
    buckets.calls.get(0).complete(new SendBucket.Grant(1, 60_000));
    assertThat(first.result()).isTrue();
    long now = System.currentTimeMillis();
    assertThat(l.acquire("u", now).result()).isFalse();
    assertThat(l.acquire("u", now + 59_000).result()).isFalse();
    assertThat(buckets.calls).as("no cluster call while the bucket is known empty").hasSize(1);
    l.acquire("u", now + 61_000);
    assertThat(buckets.calls).hasSize(2);
  }

  @Test
  void waitersBeyondAFullGrantGetAnotherLease() {
    FakeBuckets buckets = new FakeBuckets();
    UserSendLimiter l = new UserSendLimiter(buckets, 1, () -> {});
    Future<Boolean> a = l.acquire("u", 0);
    Future<Boolean> b = l.acquire("u", 0);
    buckets.calls.get(0).complete(new SendBucket.Grant(1, 0));
    assertThat(a.result()).isTrue();
    assertThat(b.isComplete()).isFalse();
    assertThat(buckets.calls).hasSize(2);
    buckets.calls.get(1).complete(new SendBucket.Grant(0, 1000));
    assertThat(b.result()).isFalse();
  }

  @Test
  void aFailedLeaseLetsTheSendThroughAndExpiredUsersAreForgotten() {
    FakeBuckets buckets = new FakeBuckets();
    UserSendLimiter l = new UserSendLimiter(buckets, 4, () -> {});
    Future<Boolean> a = l.acquire("u", 0);
    buckets.calls.get(0).fail(new IllegalStateException("cluster down"));
    assertThat(a.result()).isTrue();
    Future<Boolean> b = l.acquire("v", 0);
    buckets.calls.get(1).complete(new SendBucket.Grant(4, 0));
    assertThat(b.result()).isTrue();
    assertThat(l.users()).isEqualTo(2);
    l.expire(System.currentTimeMillis() + UserSendLimiter.LEASE_TTL_MS + 1);
    assertThat(l.users()).isZero();
  }

  @Test
  void settingsAreCheckedAndTheIdleTimeoutDefaultsToTwoHeartbeats() {
    GatewaySettings d = GatewaySettings.from(CourierConfig.defaults());
    assertThat(d.idleTimeoutMs()).isEqualTo(2 * d.heartbeatMs());
    assertThat(d.tickMs()).isLessThanOrEqualTo(d.heartbeatMs() / 4);
    assertThat(GatewaySettings.from(CourierConfig.defaults().with(ConfigKeys.IDLE_TIMEOUT_MS, 7000)).idleTimeoutMs())
        .isEqualTo(7000);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> GatewaySettings.from(CourierConfig.defaults()
        .with(ConfigKeys.CONN_BYTES_BURST, 1000))).hasMessageContaining("COURIER_CONN_BYTES_BURST");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> GatewaySettings.from(CourierConfig.defaults()
        .with(ConfigKeys.USER_SENDS_PER_S, -1))).hasMessageContaining("COURIER_USER_SENDS_PER_S");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> GatewaySettings.from(CourierConfig.defaults()
        .with(ConfigKeys.USER_SENDS_LEASE, 2000))).hasMessageContaining("COURIER_USER_SENDS_LEASE");
  }

  @Test
  void nodeLimitsAreCheckedWithTheMessagesTheNodeUsesBeforeJoining() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> GatewaySettings.from(CourierConfig.defaults()
        .with(ConfigKeys.MAX_CONNECTIONS, 0))).hasMessageContaining("COURIER_MAX_CONNECTIONS must be >= 1");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> GatewaySettings.from(CourierConfig.defaults()
        .with(ConfigKeys.HEALTH_TIMEOUT_MS, 0))).hasMessageContaining("COURIER_HEALTH_TIMEOUT_MS must be > 0");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> GatewaySettings.from(CourierConfig.defaults()
        .with(ConfigKeys.PRESENCE_LEASE_MS, 2))).hasMessageContaining("COURIER_PRESENCE_LEASE_MS must be >= 3");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> GatewaySettings.from(CourierConfig.defaults()
        .with(ConfigKeys.DRAIN_GRACE_MS, -1))).hasMessageContaining("COURIER_DRAIN_GRACE_MS must be >= 0");
  }
}
