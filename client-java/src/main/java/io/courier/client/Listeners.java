package io.courier.client;

import io.courier.protocol.InboxMessage;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application's handlers. Set from any thread, called on the client's context; an exception
 * thrown by a handler is logged and does not disturb the client.
 */
final class Listeners {
  private static final Logger log = LoggerFactory.getLogger(CourierClient.class);

  volatile Handler<InboxMessage> message;
  volatile Handler<StateChange> state;
  volatile Handler<InboxLoss> loss;
  volatile Handler<JsonObject> push;

  void message(InboxMessage m) {
    Handler<InboxMessage> h = message;
    if (h == null) {
      log.warn("inbox message seq={} delivered with no message handler set; it is dropped", m.seq());
      return;
    }
    call(h, m, "message");
  }

  void state(StateChange c) {
    call(state, c, "state");
  }

  void loss(InboxLoss l) {
    if (loss == null) {
      log.warn("inbox loss with no loss handler set: {}", l);
    }
    call(loss, l, "loss");
  }

  void push(JsonObject frame) {
    if (push == null) {
      log.debug("unhandled server frame: {}", frame.getString("type"));
    }
    call(push, frame, "push");
  }

  private static <T> void call(Handler<T> h, T value, String which) {
    if (h == null) {
      return;
    }
    try {
      h.handle(value);
    } catch (RuntimeException e) {
      log.error("the application's {} handler threw; ignored", which, e);
    }
  }
}
