package io.courier.protocol;

/**
 * Values of {@code error.code} on the wire. Between verticles the same strings travel as the
 * message of a {@code ReplyException} (see {@link BusFailures}), so the gateway maps them 1:1.
 */
public final class ErrorCodes {
  private ErrorCodes() {}

  public static final String BAD_FRAME = "bad_frame";
  public static final String TOO_LARGE = "too_large";
  public static final String RATE_LIMITED = "rate_limited";
  public static final String FORBIDDEN = "forbidden";
  public static final String NOT_FOUND = "not_found";
  public static final String UNAVAILABLE = "unavailable";
  /**
   * The message store's memory budget is used up ({@code COURIER_STORE_MAX_HEAP_FRACTION}): nothing
   * was stored; resend later with the same id.
   */
  public static final String OVERLOADED = "overloaded";
  public static final String INTERNAL = "internal";
  public static final String TOKEN_EXPIRED = "token_expired";
}
