package io.courier.delivery;

import io.courier.delivery.store.StoreOverloadedException;
import io.courier.delivery.store.StoreUnavailableException;
import io.courier.protocol.Bus;
import io.courier.protocol.BusFailures;
import io.courier.protocol.ErrorCodes;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.slf4j.Logger;

/** How delivery's consumers check a request's version and answer failures (docs/architecture.md §4). */
final class BusReplies {
  static final Duration FAILURE_LOG_INTERVAL = Duration.ofSeconds(1);
  private static final LogThrottle FAILURE_LOGS = new LogThrottle(FAILURE_LOG_INTERVAL, System::nanoTime);

  private BusReplies() {}

  /** False (and the request failed with bad_frame) when the document has no or a newer {@code v}. */
  static boolean versionOk(Message<JsonObject> msg) {
    if (!Bus.readable(msg.body())) {
      msg.fail(BusFailures.INVALID, BusFailures.message(ErrorCodes.BAD_FRAME,
          "unsupported document version; this delivery verticle speaks v" + Bus.VERSION));
      return false;
    }
    return true;
  }

  static void invalid(Message<JsonObject> msg, String text) {
    msg.fail(BusFailures.INVALID, BusFailures.message(ErrorCodes.BAD_FRAME, text));
  }

  static void forbidden(Message<JsonObject> msg, String text) {
    msg.fail(BusFailures.FORBIDDEN, BusFailures.message(ErrorCodes.FORBIDDEN, text));
  }

  /**
   * A store failure: overloaded or unavailable (the client resends) or internal, logged with who and what. Under
   * overload every call can fail, so each kind (outcome and op, per node) is logged at most once
   * per {@link #FAILURE_LOG_INTERVAL}, with {@code suppressed}: how many were not logged since.
   */
  static void storeFailure(Message<JsonObject> msg, Logger log, String nodeId, String op, String user, Throwable err) {
    if (err instanceof StoreOverloadedException) {
      long suppressed = FAILURE_LOGS.admit(nodeId + " overloaded " + op);
      if (suppressed >= 0) {
        log.atWarn().addKeyValue("nodeId", nodeId).addKeyValue("userId", user).addKeyValue("op", op)
            .addKeyValue("error", err.getMessage()).addKeyValue("suppressed", suppressed).log("store overloaded");
      }
      msg.fail(BusFailures.STORE_UNAVAILABLE,
          BusFailures.message(ErrorCodes.OVERLOADED, "message store memory full; resend later with the same id"));
    } else if (err instanceof StoreUnavailableException) {
      long suppressed = FAILURE_LOGS.admit(nodeId + " unavailable " + op);
      if (suppressed >= 0) {
        log.atWarn().addKeyValue("nodeId", nodeId).addKeyValue("userId", user).addKeyValue("op", op)
            .addKeyValue("error", err.getMessage()).addKeyValue("suppressed", suppressed).log("store unavailable");
      }
      msg.fail(BusFailures.STORE_UNAVAILABLE,
          BusFailures.message(ErrorCodes.UNAVAILABLE, "message store unavailable; resend later with the same id"));
    } else {
      long suppressed = FAILURE_LOGS.admit(nodeId + " internal " + op);
      if (suppressed >= 0) {
        log.atError().addKeyValue("nodeId", nodeId).addKeyValue("userId", user).addKeyValue("op", op)
            .addKeyValue("suppressed", suppressed).setCause(err).log("store operation failed");
      }
      msg.fail(BusFailures.INTERNAL, BusFailures.message(ErrorCodes.INTERNAL, "internal error"));
    }
  }

  /** A room id or user id as the wire allows it: a string of 1-256 characters; null otherwise. */
  static String name(String value) {
    return value != null && !value.isEmpty() && value.length() <= 256 ? value : null;
  }
}
