package io.courier.connection.session;

import io.courier.protocol.Addresses;
import io.courier.protocol.Bus;
import io.courier.protocol.BusFailures;
import io.courier.protocol.ClientFrame;
import io.courier.protocol.ErrorCodes;
import io.courier.protocol.InboxMessage;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The gateway's side of the delivery verticle's event-bus API. Failures come back as
 * {@link WireError}, already mapped to a wire error code: a verticle's own failure carries the
 * code as its message; a timeout or a missing delivery verticle is {@code unavailable}.
 */
public final class DeliveryClient {
  /** A failure with the wire {@code error.code} to report. */
  public static final class WireError extends RuntimeException {
    public final String code;

    WireError(String code, String message) {
      super(message, null, false, false);
      this.code = code;
    }
  }

  record Accepted(long ts, boolean dup, long seq, String epoch) {}

  public record Page(String epoch, long lastSeq, long firstAvailable, List<InboxMessage> messages) {}

  private final EventBus bus;
  private final DeliveryOptions options;
  private final DeliveryOptions localOptions;
  private final BooleanSupplier localDelivery;

  public DeliveryClient(EventBus bus, long timeoutMs) {
    this(bus, timeoutMs, () -> false);
  }

  /**
   * @param localDelivery whether this node runs a delivery verticle now
   *     ({@link io.courier.cluster.LocalServices}): then requests stay in the node
   */
  public DeliveryClient(EventBus bus, long timeoutMs, BooleanSupplier localDelivery) {
    this.bus = bus;
    this.options = new DeliveryOptions().setSendTimeout(timeoutMs);
    this.localOptions = new DeliveryOptions().setSendTimeout(timeoutMs).setLocalOnly(true);
    this.localDelivery = localDelivery;
  }

  /**
   * A request to delivery: to this node's own delivery verticle when it runs one, else (or when it
   * has just been undeployed: no handler took the message, so nothing was done) to any node's.
   */
  private <T> Future<io.vertx.core.eventbus.Message<T>> ask(String address, JsonObject body) {
    if (!localDelivery.getAsBoolean()) {
      return bus.request(address, body, options);
    }
    return bus.<T>request(address, body, localOptions).recover(err -> {
      if (err instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS) {
        return bus.request(address, body, options);
      }
      return Future.failedFuture(err);
    });
  }

  Future<Accepted> send(String from, ClientFrame.Send f) {
    JsonObject req = new JsonObject().put(Bus.V, Bus.VERSION).put(Bus.FROM, from).put(Bus.ID, f.id())
        .put(Bus.BODY, f.bodyJson()).put(Bus.TS, System.currentTimeMillis());
    if (f.room() != null) {
      req.put(Bus.ROOM, f.room());
    } else {
      req.put(Bus.TO, f.to());
    }
    return this.<JsonObject>ask(Addresses.DELIVERY_SEND, req)
        .recover(DeliveryClient::mapFailure)
        .map(m -> {
          JsonObject r = m.body();
          return new Accepted(r.getLong(Bus.TS), r.getBoolean(Bus.DUP, false), r.getLong(Bus.SEQ, 0L),
              r.getString(Bus.EPOCH));
        });
  }

  public Future<Page> read(String user, long after, int limit) {
    JsonObject req = new JsonObject().put(Bus.V, Bus.VERSION).put(Bus.USER, user).put(Bus.AFTER, after)
        .put(Bus.LIMIT, limit);
    return this.<JsonObject>ask(Addresses.DELIVERY_READ, req)
        .recover(DeliveryClient::mapFailure)
        .map(m -> {
          JsonObject r = m.body();
          JsonArray arr = r.getJsonArray(Bus.MESSAGES, new JsonArray());
          List<InboxMessage> msgs = new ArrayList<>(arr.size());
          for (int i = 0; i < arr.size(); i++) {
            msgs.add(InboxMessage.fromBus(arr.getJsonObject(i)));
          }
          return new Page(r.getString(Bus.EPOCH), r.getLong(Bus.LAST_SEQ), r.getLong(Bus.FIRST_AVAILABLE), msgs);
        });
  }

  /** Adds the user to the room; true if it was not a member before. Caps are checked by delivery. */
  Future<Boolean> join(String user, String room) {
    return request(Addresses.ROOM_JOIN, new JsonObject().put(Bus.ROOM, room).put(Bus.USER, user))
        .map(r -> r.getBoolean(Bus.ADDED, false));
  }

  /** Removes the user from the room; true if it was a member. */
  Future<Boolean> leave(String user, String room) {
    return request(Addresses.ROOM_LEAVE, new JsonObject().put(Bus.ROOM, room).put(Bus.USER, user))
        .map(r -> r.getBoolean(Bus.REMOVED, false));
  }

  /** A membership request or admin read on {@code address}: the reply body, or a {@link WireError}. */
  public Future<JsonObject> request(String address, JsonObject body) {
    return this.<JsonObject>ask(address, body.copy().put(Bus.V, Bus.VERSION))
        .recover(DeliveryClient::mapFailure)
        .map(io.vertx.core.eventbus.Message::body);
  }

  public static <T> Future<T> mapFailure(Throwable err) {
    if (err instanceof ReplyException re) {
      if (re.failureType() == ReplyFailure.RECIPIENT_FAILURE && re.getMessage() != null) {
        String code = BusFailures.errorCode(re.getMessage());
        String text = BusFailures.text(re.getMessage());
        return Future.failedFuture(new WireError(code, text != null ? text : code));
      }
      return Future.failedFuture(new WireError(ErrorCodes.UNAVAILABLE,
          re.failureType() == ReplyFailure.TIMEOUT ? "timed out, retry later" : "service not available, retry later"));
    }
    return Future.failedFuture(new WireError(ErrorCodes.INTERNAL, "internal error"));
  }
}
