package io.courier.delivery.store;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.courier.cluster.Maps;
import io.courier.delivery.store.hazelcast.IdSet;
import io.courier.delivery.store.hazelcast.SetAdd;
import io.courier.delivery.store.hazelcast.SetRemove;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Membership in two Hazelcast maps with the inboxes' backup count: {@link Maps#ROOM_MEMBERS}
 * (room -> members, the authority) and {@link Maps#USER_ROOMS} (user -> rooms). Every change is an
 * entry processor ({@link SetAdd}, {@link SetRemove}) on one key, so a cap check and its write are
 * atomic; the two maps are written one after the other in the order {@link RoomStore} describes.
 */
public final class HazelcastRoomStore implements RoomStore {
  private final Vertx vertx;
  private final IMap<String, IdSet> members;
  private final IMap<String, IdSet> userRooms;
  private final RoomSettings settings;

  public HazelcastRoomStore(Vertx vertx, HazelcastInstance hz, RoomSettings settings) {
    this.vertx = vertx;
    this.members = hz.getMap(Maps.ROOM_MEMBERS);
    this.userRooms = hz.getMap(Maps.USER_ROOMS);
    this.settings = settings;
  }

  @Override
  public Future<JoinOutcome> join(String room, String user) {
    Context ctx = vertx.getOrCreateContext();
    return call(() -> userRooms.submitToKey(user, new SetAdd(room, settings.maxRoomsPerUser())), ctx, "join index")
        .compose(indexed -> {
          if (indexed == SetAdd.FULL) {
            return Future.succeededFuture(JoinOutcome.TOO_MANY_ROOMS);
          }
          return call(() -> members.submitToKey(room, new SetAdd(user, settings.maxMembers())), ctx, "join room")
              .compose(added -> {
                if (added != SetAdd.FULL) {
                  return Future.succeededFuture(added == SetAdd.ADDED ? JoinOutcome.JOINED : JoinOutcome.ALREADY_MEMBER);
                }
                // Refused by the room: take back the index entry this join made (not one that was there).
                Future<?> undo = indexed == SetAdd.ADDED
                    ? call(() -> userRooms.submitToKey(user, new SetRemove(room)), ctx, "join undo")
                    : Future.succeededFuture();
                return undo.map(JoinOutcome.ROOM_FULL);
              });
        });
  }

  @Override
  public Future<Boolean> leave(String room, String user) {
    Context ctx = vertx.getOrCreateContext();
    return call(() -> members.submitToKey(room, new SetRemove(user)), ctx, "leave room")
        .compose(was -> call(() -> userRooms.submitToKey(user, new SetRemove(room)), ctx, "leave index").map(was));
  }

  @Override
  public Future<List<String>> members(String room) {
    Context ctx = vertx.getOrCreateContext();
    return call(() -> members.getAsync(room), ctx, "members").map(HazelcastRoomStore::sorted);
  }

  @Override
  public Future<List<String>> roomsOf(String user) {
    Context ctx = vertx.getOrCreateContext();
    return call(() -> userRooms.getAsync(user), ctx, "rooms of user").map(HazelcastRoomStore::sorted);
  }

  @Override
  public Future<Long> roomCount() {
    Context ctx = vertx.getOrCreateContext();
    // IMap.size() is a blocking cluster-wide call: off the event loop.
    return call(() -> vertx.executeBlocking(() -> (long) members.size(), false).toCompletionStage(), ctx, "room count");
  }

  @Override
  public Future<Integer> delete(String room) {
    Context ctx = vertx.getOrCreateContext();
    return call(() -> members.removeAsync(room), ctx, "delete room").compose(set -> {
      if (set == null || set.isEmpty()) {
        return Future.succeededFuture(0);
      }
      return call(() -> userRooms.submitToKeys(new HashSet<>(set.sorted()), new SetRemove(room)), ctx, "delete index")
          .map(set.size());
    });
  }

  private static List<String> sorted(IdSet set) {
    return set == null ? List.of() : set.sorted();
  }

  private <T> Future<T> call(Supplier<CompletionStage<T>> submit, Context ctx, String what) {
    return StoreCalls.onContext(submit, ctx, settings.opTimeoutMs(), "hazelcast rooms " + what);
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }
}
