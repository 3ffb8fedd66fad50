package io.courier.delivery;

import io.courier.delivery.store.StoreUnavailableException;
import io.courier.protocol.Bus;
import io.courier.protocol.BusFailures;
import io.courier.protocol.ErrorCodes;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;

/** How delivery's consumers check a request's version and answer failures (docs/architecture.md §4). */
final class BusReplies {
  private BusReplies() {}

  /** False (and the request failed with bad_frame) when the document has no or a newer {@code v}. */
  static boolean versionOk(Message<JsonObject> msg) {
    JsonObject req = msg.body();
    if (req == null || !(req.getValue(Bus.V) instanceof Integer v) || v > Bus.VERSION) {
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

  static JsonObject reply() {
    return new JsonObject().put(Bus.V, Bus.VERSION);
  }

  /** A store failure: unavailable (the client resends) or internal, logged with who and what. */
  static void storeFailure(Message<JsonObject> msg, Logger log, String nodeId, String op, String user, Throwable err) {
    if (err instanceof StoreUnavailableException) {
      log.atWarn().addKeyValue("nodeId", nodeId).addKeyValue("userId", user).addKeyValue("op", op)
          .addKeyValue("error", err.getMessage()).log("store unavailable");
      msg.fail(BusFailures.STORE_UNAVAILABLE,
          BusFailures.message(ErrorCodes.UNAVAILABLE, "message store unavailable; resend later with the same id"));
    } else {
      log.atError().addKeyValue("nodeId", nodeId).addKeyValue("userId", user).addKeyValue("op", op)
          .setCause(err).log("store operation failed");
      msg.fail(BusFailures.INTERNAL, BusFailures.message(ErrorCodes.INTERNAL, "internal error"));
    }
  }

  /** A room id or user id as the wire allows it: a string of 1-256 characters; null otherwise. */
  static String name(JsonObject req, String field) {
    return req.getValue(field) instanceof String s && !s.isEmpty() && s.length() <= 256 ? s : null;
  }
}
