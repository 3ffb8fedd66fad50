package io.courier.connection.session;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SendBucketTest {

  @Test
  void anAbsentBucketIsFullAndALeaseTakesWholeTokens() {
    SendBucket.Taken t = SendBucket.take(null, 1000, 10, 25, 20);
    assertThat(t.grant().granted()).isEqualTo(20);
    assertThat(t.grant().retryAfterMs()).isZero();
    assertThat(t.bucket().tokens()).isEqualTo(5.0);
    // 20 tokens to refill at 10/s
    assertThat(t.fullInMs()).isEqualTo(2000);
  }

  @Test
  void exactlyTheBurstIsGrantedThenNothingUntilATokenHasRefilled() {
    SendBucket b = null;
    int total = 0;
    for (int i = 0; i < 10; i++) {
      SendBucket.Taken t = SendBucket.take(b, 5000, 2, 7, 3);
      total += t.grant().granted();
      b = t.bucket();
    }
    assertThat(total).isEqualTo(7);
    SendBucket.Taken empty = SendBucket.take(b, 5000, 2, 7, 3);
    assertThat(empty.grant().granted()).isZero();
    assertThat(empty.grant().retryAfterMs()).isEqualTo(500);
    assertThat(SendBucket.take(b, 5499, 2, 7, 3).grant().granted()).isZero();
    assertThat(SendBucket.take(b, 5500, 2, 7, 3).grant().granted()).isEqualTo(1);
  }

  @Test
  void refillStopsAtTheBurstAndAClockGoingBackRefillsNothing() {
    SendBucket drained = new SendBucket(0, 10_000);
    assertThat(SendBucket.take(drained, 1_000_000, 5, 8, 100).grant().granted()).isEqualTo(8);
    assertThat(SendBucket.take(drained, 9_000, 5, 8, 100).grant().granted()).isZero();
  }
}
