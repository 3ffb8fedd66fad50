package io.courier.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ResendDelayTest {
  @Test
  void doublesFromAHundredMillisecondsUpToTheCapWithJitterInTheUpperHalf() {
    assertThat(Conn.resendDelayMs(0, 0.0)).isEqualTo(50);
    assertThat(Conn.resendDelayMs(0, 0.999)).isEqualTo(99);
    assertThat(Conn.resendDelayMs(1, 0.0)).isEqualTo(100);
    assertThat(Conn.resendDelayMs(3, 0.5)).isEqualTo(600);
    assertThat(Conn.resendDelayMs(5, 0.0)).isEqualTo(1600);
    assertThat(Conn.resendDelayMs(6, 0.999)).isEqualTo(3198);
    assertThat(Conn.resendDelayMs(1000, 0.0)).as("capped, no overflow").isEqualTo(1600);
  }
}
