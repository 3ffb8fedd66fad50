package io.courier.protocol;

/**
 * Failure codes carried by {@code message.fail(code, errorCode)} between verticles. The numeric
 * code says who failed; the message is one of {@link ErrorCodes} so the gateway can turn it into
 * an {@code error} frame without guessing.
 */
public final class BusFailures {
  private BusFailures() {}

  /** The request itself was invalid (the message is an {@link ErrorCodes} value). */
  public static final int INVALID = 400;
  /** The caller may not do this. */
  public static final int FORBIDDEN = 403;
  /** The backing store could not be reached or refused the write; nothing was stored. */
  public static final int STORE_UNAVAILABLE = 503;
  /** An unexpected failure inside a verticle. */
  public static final int INTERNAL = 500;
}
