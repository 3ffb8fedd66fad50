package io.courier.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

class RetryAfterTest {

  @Test
  void deltaSeconds() {
    assertThat(RetryAfter.parseMillis("3", 0)).isEqualTo(3_000);
    assertThat(RetryAfter.parseMillis(" 0 ", 0)).isZero();
  }

  @Test
  void httpDateRelativeToNow() {
    long now = 1_700_000_000_000L;
    String in5s = DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.ofEpochMilli(now + 5_000).atOffset(ZoneOffset.UTC));
    assertThat(RetryAfter.parseMillis(in5s, now)).isEqualTo(5_000);
    String past = DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.ofEpochMilli(now - 5_000).atOffset(ZoneOffset.UTC));
    assertThat(RetryAfter.parseMillis(past, now)).isZero();
  }

  @Test
  void absentOrGarbageIsMinusOne() {
    assertThat(RetryAfter.parseMillis(null, 0)).isEqualTo(-1);
    assertThat(RetryAfter.parseMillis("", 0)).isEqualTo(-1);
    assertThat(RetryAfter.parseMillis("soon", 0)).isEqualTo(-1);
    assertThat(RetryAfter.parseMillis("-3", 0)).isEqualTo(-1);
  }

  @Test
  void hugeValuesAreCapped() {
    assertThat(RetryAfter.parseMillis("99999999999999999999", 0)).isEqualTo(RetryAfter.MAX_MS);
    assertThat(RetryAfter.parseMillis("86400", 0)).isEqualTo(RetryAfter.MAX_MS);
  }
}
