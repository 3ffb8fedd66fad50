package io.courier.protocol;

/** Values of a token's {@code roles} claim that unlock something beyond a user's connection. */
public final class Roles {
  private Roles() {}

  /** May call the admin endpoints (e.g. {@code POST /admin/drain}). */
  public static final String ADMIN = "admin";
  /** A backend service that may send through the TCP event-bus bridge. */
  public static final String SERVICE = "service";
}
