package io.courier.delivery.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PipelinedRedisBackoffTest {

  @Test
  void aLostConnectionIsReopenedAtOnceThenWithDoublingDelaysUpToTheCap() {
    assertThat(PipelinedRedis.backoffMs(0, 0.5)).isZero();
    assertThat(PipelinedRedis.backoffMs(1, 0.5)).isEqualTo(100);
    assertThat(PipelinedRedis.backoffMs(2, 0.5)).isEqualTo(200);
    assertThat(PipelinedRedis.backoffMs(4, 0.5)).isEqualTo(800);
    assertThat(PipelinedRedis.backoffMs(5, 0.5)).isEqualTo(1000);
    assertThat(PipelinedRedis.backoffMs(1_000, 0.5)).isEqualTo(1000);
  }

  @Test
  void jitterSpreadsEachDelayByAFifth() {
    assertThat(PipelinedRedis.backoffMs(1, 0.0)).isEqualTo(80);
    assertThat(PipelinedRedis.backoffMs(1, 0.999_999)).isEqualTo(120);
    assertThat(PipelinedRedis.backoffMs(1_000, 0.0)).isEqualTo(800);
  }
}
