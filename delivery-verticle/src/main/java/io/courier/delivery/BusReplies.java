package io.courier.delivery;

import io.courier.delivery.store.StoreOverloadedException;
import io.courier.delivery.store.StoreUnavailableException;
import io.courier.protocol.Bus;
import io.courier.protocol.BusFailures;
import io.courier.protocol.ErrorCodes;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
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
    fail(msg, invalid(text));
  }

  /** The failure a bad request gets, as its caller receives it on either path. */
  static ReplyException invalid(String text) {
    return failure(BusFailures.INVALID, BusFailures.message(ErrorCodes.BAD_FRAME, text));
  }

  /** Answers {@code msg} with {@code failure}'s code and message, as an in-process caller gets it. */
  static void fail(Message<JsonObject> msg, ReplyException failure) {
    msg.fail(failure.failureCode(), failure.getMessage());
  }

  /** What {@link Message#fail} delivers to the requester: the same for in-process calls. */
  private static ReplyException failure(int code, String message) {
    return new ReplyException(ReplyFailure.RECIPIENT_FAILURE, code, message);
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
    fail(msg, storeFailure(log, nodeId, op, user, err));
  }

  /** The same, for an in-process caller: logged alike, and the failure it gets. */
  static ReplyException storeFailure(Logger log, String nodeId, String op, String user, Throwable err) {
    if (err instanceof SendAdmission.Behind) {
      return resendLater(log, nodeId, op, user, err, "behind", "store behind; sends refused",
          ErrorCodes.OVERLOADED, "message store is behind; resend later with the same id");
    } else if (err instanceof StoreOverloadedException) {
      return resendLater(log, nodeId, op, user, err, "overloaded", "store overloaded",
          ErrorCodes.OVERLOADED, "message store memory full; resend later with the same id");
    } else if (err instanceof StoreUnavailableException) {
      return resendLater(log, nodeId, op, user, err, "unavailable", "store unavailable",
          ErrorCodes.UNAVAILABLE, "message store unavailable; resend later with the same id");
    }
    long suppressed = FAILURE_LOGS.admit(nodeId + " internal " + op);
    if (suppressed >= 0) {
      log.atError().addKeyValue("nodeId", nodeId).addKeyValue("userId", user).addKeyValue("op", op)
          .addKeyValue("suppressed", suppressed).setCause(err).log("store operation failed");
    }
    return failure(BusFailures.INTERNAL, BusFailures.message(ErrorCodes.INTERNAL, "internal error"));
  }

  /**
   * A failure the client answers by resending later: a WARN line (at most one per kind and op per
   * interval, with how many were not logged since), and the failure with {@code code}.
   */
  private static ReplyException resendLater(Logger log, String nodeId, String op, String user, Throwable err,
                                            String kind, String line, String code, String clientText) {
    long suppressed = FAILURE_LOGS.admit(nodeId + " " + kind + " " + op);
    if (suppressed >= 0) {
      log.atWarn().addKeyValue("nodeId", nodeId).addKeyValue("userId", user).addKeyValue("op", op)
          .addKeyValue("error", err.getMessage()).addKeyValue("suppressed", suppressed).log(line);
    }
    return failure(BusFailures.STORE_UNAVAILABLE, BusFailures.message(code, clientText));
  }

  /** A room id or user id as the wire allows it: a string of 1-256 characters; null otherwise. */
  static String name(String value) {
    return value != null && !value.isEmpty() && value.length() <= 256 ? value : null;
  }
}
