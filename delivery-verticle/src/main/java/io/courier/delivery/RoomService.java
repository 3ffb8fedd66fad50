package io.courier.delivery;

import io.courier.delivery.store.RoomSettings;
import io.courier.delivery.store.RoomStore;
import io.courier.protocol.Addresses;
import io.courier.protocol.ConfigKeys;
import io.courier.protocol.bus.Rooms;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves room membership on the bus: join and leave for the gateway (which has already checked the
 * token's rooms claim), and the admin reads and delete. The caps are enforced here, by the store,
 * atomically with the write.
 */
final class RoomService {
  private static final Logger LOG = LoggerFactory.getLogger(RoomService.class);

  private final String nodeId;
  private final RoomStore rooms;
  private final RoomSettings settings;
  private final DeliveryMetrics metrics;

  RoomService(String nodeId, RoomStore rooms, RoomSettings settings, DeliveryMetrics metrics) {
    this.nodeId = nodeId;
    this.rooms = rooms;
    this.settings = settings;
    this.metrics = metrics;
  }

  /** Registers the consumers; completes when all are registered cluster-wide. */
  Future<?> register(EventBus bus) {
    return Future.all(List.of(
        bus.<JsonObject>consumer(Addresses.ROOM_JOIN, this::onJoin).completion(),
        bus.<JsonObject>consumer(Addresses.ROOM_LEAVE, this::onLeave).completion(),
        bus.<JsonObject>consumer(Addresses.ROOM_MEMBERS, this::onMembers).completion(),
        bus.<JsonObject>consumer(Addresses.ROOM_USER_ROOMS, this::onUserRooms).completion(),
        bus.<JsonObject>consumer(Addresses.ROOM_STATS, this::onStats).completion(),
        bus.<JsonObject>consumer(Addresses.ROOM_DELETE, this::onDelete).completion()));
  }

  private void onJoin(Message<JsonObject> msg) {
    if (!BusReplies.versionOk(msg)) {
      return;
    }
    Rooms.Membership req = Rooms.Membership.fromJson(msg.body());
    String room = BusReplies.name(req.room());
    String user = BusReplies.name(req.user());
    if (room == null || user == null) {
      BusReplies.invalid(msg, "join needs room and user (1-256 characters)");
      return;
    }
    rooms.join(room, user).onSuccess(outcome -> {
      switch (outcome) {
        case JOINED, ALREADY_MEMBER -> {
          metrics.membership(DeliveryMetrics.JOIN, outcome == RoomStore.JoinOutcome.JOINED ? "ok" : "present");
          if (outcome == RoomStore.JoinOutcome.JOINED) {
            LOG.atDebug().addKeyValue("nodeId", nodeId).addKeyValue("userId", user).addKeyValue("room", room)
                .log("joined room");
          }
          msg.reply(new Rooms.Joined(room, outcome == RoomStore.JoinOutcome.JOINED).toJson());
        }
        case ROOM_FULL -> {
          metrics.membership(DeliveryMetrics.JOIN, "full");
          BusReplies.forbidden(msg, "room '" + room + "' is full: it has " + settings.maxMembers()
              + " members (" + ConfigKeys.MAX_ROOM_MEMBERS.env() + ")");
        }
        case TOO_MANY_ROOMS -> {
          metrics.membership(DeliveryMetrics.JOIN, "full");
          BusReplies.forbidden(msg, "already a member of " + settings.maxRoomsPerUser() + " rooms ("
              + ConfigKeys.MAX_ROOMS_PER_USER.env() + "); leave one first");
        }
        default -> throw new IllegalStateException(outcome.name());
      }
    }).onFailure(err -> {
      metrics.membership(DeliveryMetrics.JOIN, "failed");
      BusReplies.storeFailure(msg, LOG, nodeId, "join", user, err);
    });
  }

  private void onLeave(Message<JsonObject> msg) {
    if (!BusReplies.versionOk(msg)) {
      return;
    }
    Rooms.Membership req = Rooms.Membership.fromJson(msg.body());
    String room = BusReplies.name(req.room());
    String user = BusReplies.name(req.user());
    if (room == null || user == null) {
      BusReplies.invalid(msg, "leave needs room and user (1-256 characters)");
      return;
    }
    rooms.leave(room, user).onSuccess(was -> {
      metrics.membership(DeliveryMetrics.LEAVE, was ? "ok" : "absent");
      msg.reply(new Rooms.Left(room, was).toJson());
    }).onFailure(err -> {
      metrics.membership(DeliveryMetrics.LEAVE, "failed");
      BusReplies.storeFailure(msg, LOG, nodeId, "leave", user, err);
    });
  }

  private void onMembers(Message<JsonObject> msg) {
    if (!BusReplies.versionOk(msg)) {
      return;
    }
    String room = BusReplies.name(Rooms.RoomRequest.fromJson(msg.body()).room());
    if (room == null) {
      BusReplies.invalid(msg, "members needs a room (1-256 characters)");
      return;
    }
    rooms.members(room)
        .onSuccess(m -> msg.reply(new Rooms.Members(room, m.size(), m).toJson()))
        .onFailure(err -> BusReplies.storeFailure(msg, LOG, nodeId, "room members", null, err));
  }

  private void onUserRooms(Message<JsonObject> msg) {
    if (!BusReplies.versionOk(msg)) {
      return;
    }
    String user = BusReplies.name(Rooms.UserRoomsRequest.fromJson(msg.body()).user());
    if (user == null) {
      BusReplies.invalid(msg, "rooms of a user needs a user (1-256 characters)");
      return;
    }
    rooms.roomsOf(user)
        .onSuccess(r -> msg.reply(new Rooms.UserRooms(user, r.size(), r).toJson()))
        .onFailure(err -> BusReplies.storeFailure(msg, LOG, nodeId, "user rooms", user, err));
  }

  private void onStats(Message<JsonObject> msg) {
    if (!BusReplies.versionOk(msg)) {
      return;
    }
    rooms.roomCount()
        .onSuccess(n -> msg.reply(new Rooms.Stats(n).toJson()))
        .onFailure(err -> BusReplies.storeFailure(msg, LOG, nodeId, "room count", null, err));
  }

  private void onDelete(Message<JsonObject> msg) {
    if (!BusReplies.versionOk(msg)) {
      return;
    }
    String room = BusReplies.name(Rooms.RoomRequest.fromJson(msg.body()).room());
    if (room == null) {
      BusReplies.invalid(msg, "delete needs a room (1-256 characters)");
      return;
    }
    rooms.delete(room).onSuccess(n -> {
      LOG.atInfo().addKeyValue("nodeId", nodeId).addKeyValue("room", room).addKeyValue("members", n)
          .log("room deleted");
      msg.reply(new Rooms.Deleted(room, n).toJson());
    }).onFailure(err -> BusReplies.storeFailure(msg, LOG, nodeId, "delete room", null, err));
  }
}
