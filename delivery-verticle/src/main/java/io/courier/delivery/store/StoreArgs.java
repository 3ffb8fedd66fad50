package io.courier.delivery.store;

import io.courier.protocol.InboxMessage;
import io.vertx.core.Future;

/** Arguments no store could accept fail with IllegalArgumentException, before any I/O. */
final class StoreArgs {
  private StoreArgs() {}

  static Future<Void> checkRead(String recipient, long after, int limit) {
    if (recipient == null || recipient.isEmpty()) {
      return Future.failedFuture(new IllegalArgumentException("recipient must not be empty"));
    }
    if (after < 0 || limit < 0) {
      return Future.failedFuture(new IllegalArgumentException("after and limit must be >= 0"));
    }
    return Future.succeededFuture();
  }

  static Future<Void> checkAppendAll(java.util.List<String> recipients, InboxMessage draft) {
    if (recipients == null) {
      return Future.failedFuture(new IllegalArgumentException("recipients must not be null"));
    }
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (String r : recipients) {
      if (r == null || r.isEmpty()) {
        return Future.failedFuture(new IllegalArgumentException("recipient must not be empty"));
      }
      if (!seen.add(r)) {
        return Future.failedFuture(new IllegalArgumentException("recipient listed twice: " + r));
      }
    }
    return checkAppend("-", draft);
  }

  static Future<Void> checkAppend(String recipient, InboxMessage draft) {
    if (recipient == null || recipient.isEmpty()) {
      return Future.failedFuture(new IllegalArgumentException("recipient must not be empty"));
    }
    if (draft == null || draft.id() == null || draft.from() == null || draft.bodyJson() == null
        || (draft.to() == null) == (draft.room() == null)) {
      return Future.failedFuture(new IllegalArgumentException(
          "draft needs id, from, bodyJson and exactly one of to/room"));
    }
    return Future.succeededFuture();
  }
}
