package io.courier.connection.ops;

import io.courier.connection.auth.Identity;
import io.courier.connection.session.DeliveryClient;
import io.courier.protocol.ErrorCodes;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Consumer;

/**
 * The admin endpoints for rooms, behind the same admin-role check as the other admin endpoints:
 * a room's members, the room count, a user's rooms, and deleting a room. They read the cluster-wide
 * membership through the delivery verticle, which owns the store it lives in.
 */
public final class RoomAdminRoutes {
  static final String ROOMS = "/admin/rooms";
  static final String ROOM = "/admin/rooms/:room";
  static final String USER_ROOMS = "/admin/users/:userId/rooms";

  /** The admin check of {@link OpsRoutes}: answers 401/403 itself, or runs {@code then}. */
  public interface Gate {
    void check(RoutingContext rc, String what, Consumer<Identity> then);
  }

  private final DeliveryClient delivery;

  public RoomAdminRoutes(DeliveryClient delivery) {
    this.delivery = delivery;
  }

  public void mount(Router router, Gate admin) {
    router.get(ROOMS).handler(rc -> admin.check(rc, "rooms", who ->
        answer(rc, delivery.roomStats(), r -> new JsonObject().put("rooms", r.rooms()))));
    router.get(ROOM).handler(rc -> admin.check(rc, "room", who -> withName(rc, "room", room ->
        answer(rc, delivery.members(room), r -> new JsonObject()
            .put("room", room).put("count", r.count()).put("members", new JsonArray(r.members()))))));
    router.delete(ROOM).handler(rc -> admin.check(rc, "delete room", who -> withName(rc, "room", room ->
        answer(rc, delivery.deleteRoom(room), r -> new JsonObject()
            .put("room", room).put("removed", r.removed())))));
    router.get(USER_ROOMS).handler(rc -> admin.check(rc, "user rooms", who -> withName(rc, "userId", user ->
        answer(rc, delivery.userRooms(user), r -> new JsonObject()
            .put("userId", user).put("count", r.count()).put("rooms", new JsonArray(r.rooms()))))));
  }

  /** Room and user ids are 1-256 characters, as on the wire; anything else is a 400. */
  private static void withName(RoutingContext rc, String param, Consumer<String> then) {
    String v = rc.pathParam(param);
    if (v == null || v.isEmpty() || v.length() > 256) {
      plain(rc, 400, "a " + param + " of 1-256 characters is required");
      return;
    }
    then.accept(v);
  }

  private static <T> void answer(RoutingContext rc, Future<T> reply, java.util.function.Function<T, JsonObject> body) {
    reply.onSuccess(r -> rc.response().setStatusCode(200).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
            .putHeader(HttpHeaders.CACHE_CONTROL, "no-store").end(body.apply(r).encode()))
        .onFailure(err -> {
          String code = err instanceof DeliveryClient.WireError w ? w.code : ErrorCodes.INTERNAL;
          int status = switch (code) {
            case ErrorCodes.BAD_FRAME -> 400;
            case ErrorCodes.UNAVAILABLE, ErrorCodes.OVERLOADED -> 503;
            default -> 500;
          };
          plain(rc, status, code + ": " + err.getMessage());
        });
  }

  private static void plain(RoutingContext rc, int status, String message) {
    rc.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain").end(message);
  }
}
