package io.courier.connection.auth;

/** Whether a verified token has been revoked (answered from a local list, never a remote call). */
@FunctionalInterface
public interface RevocationCheck {
  /** Nothing is revoked: for components and tests that run without the cluster's list. */
  RevocationCheck NONE = identity -> false;

  boolean revoked(Identity identity);
}
