package io.courier.protocol.bus;

/** Numbers as a decoded document holds them: a small value arrives as an Integer, a large one as a Long. */
final class Numbers {
  private Numbers() {}

  /** The value as a Long (the same instance when it is one), or null when it is not a number. */
  static Long boxed(Object value) {
    if (value instanceof Long l) {
      return l;
    }
    return value instanceof Number n ? Long.valueOf(n.longValue()) : null;
  }
}
