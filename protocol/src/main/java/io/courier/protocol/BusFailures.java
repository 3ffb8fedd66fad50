package io.courier.protocol;

/**
 * Failure codes carried by {@code message.fail(code, message)} between verticles. The numeric code
 * says who failed; the message is {@code "<ErrorCodes value>:<human text>"} (see {@link #message})
 * so the gateway can turn it into an {@code error} frame without guessing.
 */
public final class BusFailures {
  private BusFailures() {}

  /** The request itself was invalid (the message is an {@link ErrorCodes} value). */
  public static final int INVALID = 400;
  /** The caller may not do this. */
  public static final int FORBIDDEN = 403;
  /** Too many requests waiting; resend later (the message is {@link ErrorCodes#RATE_LIMITED}). */
  public static final int RATE_LIMITED = 429;
  /** The backing store could not be reached or refused the write; nothing was stored. */
  public static final int STORE_UNAVAILABLE = 503;
  /** An unexpected failure inside a verticle. */
  public static final int INTERNAL = 500;

  /** The failure message for an {@link ErrorCodes} value and a human explanation. */
  public static String message(String errorCode, String text) {
    return errorCode + ":" + text;
  }

  /** The {@link ErrorCodes} value of a failure message (the whole message if it has no text). */
  public static String errorCode(String message) {
    int i = message.indexOf(':');
    return i < 0 ? message : message.substring(0, i);
  }

  /** The human text of a failure message, or null. */
  public static String text(String message) {
    int i = message.indexOf(':');
    return i < 0 ? null : message.substring(i + 1);
  }
}
