package io.courier.delivery.store;

import io.courier.delivery.store.redis.PipelinedRedis;
import io.courier.delivery.store.redis.RedisKeys;
import io.courier.delivery.store.redis.RoomScripts;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Membership in Redis sets, next to the inboxes and as durable as they are: per room
 * {@code courier:room:{<room>}:members}, per user {@code courier:{<user>}:rooms} (in the user's
 * slot, beside the inbox), and the registry {@code courier:rooms} of rooms with members. Each change
 * is one script ({@link RoomScripts}), so a cap check and its write are atomic; the room and the
 * user index are written one after the other in the order {@link RoomStore} describes.
 */
public final class RedisRoomStore implements RoomStore {
  private final Vertx vertx;
  private final PipelinedRedis redis;
  private final RoomSettings settings;

  /** @param redis connections this store shares and does not close */
  public RedisRoomStore(Vertx vertx, PipelinedRedis redis, RoomSettings settings) {
    this.vertx = vertx;
    this.redis = redis;
    this.settings = settings;
  }

  @Override
  public Future<JoinOutcome> join(String room, String user) {
    Context ctx = vertx.getOrCreateContext();
    return call(() -> RoomScripts.ADD.run(redis, List.of(RedisKeys.userRooms(user)),
        List.of(room, Integer.toString(settings.maxRoomsPerUser()))), ctx, "join index")
        .compose(indexed -> {
          if (indexed.toInteger() < 0) {
            return Future.succeededFuture(JoinOutcome.TOO_MANY_ROOMS);
          }
          return call(() -> RoomScripts.ADD.run(redis, List.of(RedisKeys.roomMembers(room), RedisKeys.ROOMS),
              List.of(user, Integer.toString(settings.maxMembers()), room)), ctx, "join room")
              .compose(added -> {
                int a = added.toInteger();
                if (a >= 0) {
                  return Future.succeededFuture(a > 0 ? JoinOutcome.JOINED : JoinOutcome.ALREADY_MEMBER);
                }
                // Refused by the room: take back the index entry this join made (not one that was there).
                Future<?> undo = indexed.toInteger() > 0
                    ? call(() -> RoomScripts.REMOVE.run(redis, List.of(RedisKeys.userRooms(user)), List.of(room)), ctx,
                        "join undo")
                    : Future.succeededFuture();
                return undo.map(JoinOutcome.ROOM_FULL);
              });
        });
  }

  @Override
  public Future<Boolean> leave(String room, String user) {
    Context ctx = vertx.getOrCreateContext();
    return call(() -> RoomScripts.REMOVE.run(redis, List.of(RedisKeys.roomMembers(room), RedisKeys.ROOMS),
        List.of(user, room)), ctx, "leave room")
        .compose(was -> call(() -> RoomScripts.REMOVE.run(redis, List.of(RedisKeys.userRooms(user)), List.of(room)),
            ctx, "leave index").map(was.toInteger() > 0));
  }

  @Override
  public Future<List<String>> members(String room) {
    Context ctx = vertx.getOrCreateContext();
    return call(() -> redis.send(Request.cmd(Command.SMEMBERS).arg(RedisKeys.roomMembers(room))), ctx, "members")
        .map(RedisRoomStore::sorted);
  }

  @Override
  public Future<List<String>> roomsOf(String user) {
    Context ctx = vertx.getOrCreateContext();
    return call(() -> redis.send(Request.cmd(Command.SMEMBERS).arg(RedisKeys.userRooms(user))), ctx, "rooms of user")
        .map(RedisRoomStore::sorted);
  }

  @Override
  public Future<Long> roomCount() {
    Context ctx = vertx.getOrCreateContext();
    return call(() -> redis.send(Request.cmd(Command.SCARD).arg(RedisKeys.ROOMS)), ctx, "room count")
        .map(Response::toLong);
  }

  @Override
  public Future<Integer> delete(String room) {
    Context ctx = vertx.getOrCreateContext();
    return call(() -> RoomScripts.DELETE.run(redis, List.of(RedisKeys.roomMembers(room), RedisKeys.ROOMS),
        List.of(room)), ctx, "delete room").compose(gone -> {
      List<String> users = sorted(gone);
      if (users.isEmpty()) {
        return Future.succeededFuture(0);
      }
      List<List<String>> keys = new ArrayList<>(users.size());
      List<List<String>> args = new ArrayList<>(users.size());
      for (String u : users) {
        keys.add(List.of(RedisKeys.userRooms(u)));
        args.add(List.of(room));
      }
      return StoreCalls.onContext(() -> RoomScripts.REMOVE.runAll(redis, keys, args).toCompletionStage(), ctx,
          settings.opTimeoutMs(), "redis rooms delete index").map(users.size());
    });
  }

  private static List<String> sorted(Response set) {
    List<String> out = new ArrayList<>(set == null ? 0 : set.size());
    if (set != null) {
      for (Response r : set) {
        out.add(r.toString());
      }
    }
    out.sort(null);
    return out;
  }

  private Future<Response> call(Supplier<Future<Response>> send, Context ctx, String what) {
    return StoreCalls.onContext(() -> send.get().toCompletionStage(), ctx, settings.opTimeoutMs(), "redis rooms " + what);
  }

  @Override
  public Future<Void> close() {
    // The client belongs to the message store it was taken from.
    return Future.succeededFuture();
  }
}
