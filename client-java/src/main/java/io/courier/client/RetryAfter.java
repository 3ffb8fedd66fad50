package io.courier.client;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Parses an HTTP {@code Retry-After} value (delta-seconds or an HTTP-date) into milliseconds. */
final class RetryAfter {
  /** Longer waits than this are taken as this: a misconfigured proxy must not park a client for days. */
  static final long MAX_MS = 3_600_000;

  private RetryAfter() {}

  /** Milliseconds to wait from {@code nowMs}, or -1 if the value is absent or unreadable. */
  static long parseMillis(String value, long nowMs) {
    if (value == null || value.isBlank()) {
      return -1;
    }
    String v = value.trim();
    if (v.chars().allMatch(Character::isDigit)) {
      if (v.length() > 9) {
        return MAX_MS;
      }
      return Math.min(MAX_MS, Long.parseLong(v) * 1000);
    }
    try {
      long at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
      return Math.min(MAX_MS, Math.max(0, at - nowMs));
    } catch (DateTimeParseException e) {
      return -1;
    }
  }
}
