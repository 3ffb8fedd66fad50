package io.courier.connection.session;

import io.courier.cluster.InProcess;
import io.courier.cluster.LocalDelivery;
import io.courier.protocol.Addresses;
import io.courier.protocol.BusFailures;
import io.courier.protocol.ClientFrame;
import io.courier.protocol.ErrorCodes;
import io.courier.protocol.bus.DeliveryRead;
import io.courier.protocol.bus.DeliverySend;
import io.courier.protocol.bus.Rooms;
import io.courier.protocol.bus.StoreChecks;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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

  private final EventBus bus;
  private final DeliveryOptions options;
  private final DeliveryOptions localOptions;
  private final BooleanSupplier localDelivery;
  private final InProcess inProcess;
  private final long timeoutMs;

  public DeliveryClient(EventBus bus, long timeoutMs) {
    this(bus, timeoutMs, () -> false, null);
  }

  /** Every request over the bus, to this node's delivery while {@code localDelivery} says it runs one. */
  public DeliveryClient(EventBus bus, long timeoutMs, BooleanSupplier localDelivery) {
    this(bus, timeoutMs, localDelivery, null);
  }

  /**
   * @param localDelivery whether this node runs a delivery verticle now
   *     ({@link io.courier.cluster.LocalServices}): then requests stay in the node
   * @param inProcess this node's directly callable services, or null: a point-to-point send goes to
   *     a delivery verticle registered there by a method call, bounded by the same timeout
   */
  public DeliveryClient(EventBus bus, long timeoutMs, BooleanSupplier localDelivery, InProcess inProcess) {
    this.bus = bus;
    this.options = new DeliveryOptions().setSendTimeout(timeoutMs);
    this.localOptions = new DeliveryOptions().setSendTimeout(timeoutMs).setLocalOnly(true);
    this.localDelivery = localDelivery;
    this.inProcess = inProcess;
    this.timeoutMs = timeoutMs;
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

  Future<DeliverySend.Reply> send(String from, ClientFrame.Send f) {
    DeliverySend.Request req = new DeliverySend.Request(from, f.id(), f.to(), f.room(), f.bodyJson(),
        System.currentTimeMillis());
    LocalDelivery local = f.room() == null && inProcess != null ? inProcess.delivery() : null;
    if (local != null) {
      return direct(local.send(req));
    }
    return request(Addresses.DELIVERY_SEND, req.toJson()).map(DeliverySend.Reply::fromJson);
  }

  /**
   * An in-process call's answer as the bus would give it: bounded by the same timeout, its failures
   * mapped alike, on this event loop.
   */
  private <T> Future<T> direct(Future<T> call) {
    return onCallerContext(call).timeout(timeoutMs, TimeUnit.MILLISECONDS).recover(DeliveryClient::mapFailure);
  }

  /**
   * {@code f} as a future of the calling event loop's context, so that its timeout is a task on this
   * event loop. A future without a context (one composed from {@code Future.succeededFuture()}, say)
   * has Vert.x schedule the timeout on Netty's global executor thread instead: two cross-thread
   * hand-offs per send, to arm the timer and to cancel it.
   */
  private static <T> Future<T> onCallerContext(Future<T> f) {
    ContextInternal ctx = (ContextInternal) Vertx.currentContext();
    if (ctx == null) {
      return f;
    }
    Promise<T> p = ctx.promise();
    f.onComplete(p);
    return p.future();
  }

  public Future<DeliveryRead.Reply> read(String user, long after, int limit) {
    DeliveryRead.Request req = new DeliveryRead.Request(user, after, limit);
    LocalDelivery local = inProcess != null ? inProcess.delivery() : null;
    if (local != null) {
      return direct(local.read(req));
    }
    return request(Addresses.DELIVERY_READ, req.toJson()).map(DeliveryRead.Reply::fromJson);
  }

  /** How the store behind delivery is deployed, for the readiness detail. */
  public Future<StoreChecks> storeChecks() {
    return request(Addresses.STORE_CHECKS, StoreChecks.request()).map(StoreChecks::fromJson);
  }

  /** Adds the user to the room; true if it was not a member before. Caps are checked by delivery. */
  Future<Boolean> join(String user, String room) {
    return request(Addresses.ROOM_JOIN, new Rooms.Membership(room, user).toJson())
        .map(r -> Rooms.Joined.fromJson(r).added());
  }

  /** Removes the user from the room; true if it was a member. */
  Future<Boolean> leave(String user, String room) {
    return request(Addresses.ROOM_LEAVE, new Rooms.Membership(room, user).toJson())
        .map(r -> Rooms.Left.fromJson(r).removed());
  }

  /** Admin read: a room's members. */
  public Future<Rooms.Members> members(String room) {
    return request(Addresses.ROOM_MEMBERS, new Rooms.RoomRequest(room).toJson()).map(Rooms.Members::fromJson);
  }

  /** Admin read: a user's rooms. */
  public Future<Rooms.UserRooms> userRooms(String user) {
    return request(Addresses.ROOM_USER_ROOMS, new Rooms.UserRoomsRequest(user).toJson()).map(Rooms.UserRooms::fromJson);
  }

  /** Admin read: how many rooms have members. */
  public Future<Rooms.Stats> roomStats() {
    return request(Addresses.ROOM_STATS, Rooms.statsRequest()).map(Rooms.Stats::fromJson);
  }

  /** Admin: deletes a room and every membership in it. */
  public Future<Rooms.Deleted> deleteRoom(String room) {
    return request(Addresses.ROOM_DELETE, new Rooms.RoomRequest(room).toJson()).map(Rooms.Deleted::fromJson);
  }

  /**
   * A request to delivery on {@code address} with a document built by its record in
   * {@link io.courier.protocol.bus}: the reply body, or a {@link WireError}.
   */
  public Future<JsonObject> request(String address, JsonObject body) {
    return this.<JsonObject>ask(address, body)
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
    if (err instanceof TimeoutException) {
      // An in-process call past the bus timeout: what the bus would have answered.
      return Future.failedFuture(new WireError(ErrorCodes.UNAVAILABLE, "timed out, retry later"));
    }
    return Future.failedFuture(new WireError(ErrorCodes.INTERNAL, "internal error"));
  }
}
