package io.courier.protocol.bus;

import io.courier.protocol.Addresses;
import io.courier.protocol.Bus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Room membership on the bus, served by delivery (which owns the store it lives in): join and leave
 * for the gateway, the admin reads and delete. Requests decode their names as found (null when not a
 * string); delivery checks them.
 */
public final class Rooms {
  private Rooms() {}

  /**
   * {@link Addresses#ROOM_JOIN} and {@link Addresses#ROOM_LEAVE} request: {@code {v, room, user}}.
   * The gateway has checked the token's rooms claim; delivery checks the caps.
   */
  public record Membership(String room, String user) {
    public JsonObject toJson() {
      return Bus.doc().put(Bus.ROOM, room).put(Bus.USER, user);
    }

    public static Membership fromJson(JsonObject o) {
      return new Membership(string(o, Bus.ROOM), string(o, Bus.USER));
    }
  }

  /** {@link Addresses#ROOM_JOIN} reply: {@code {v, room, added}}; added is false for a member already. */
  public record Joined(String room, boolean added) {
    public JsonObject toJson() {
      return Bus.doc().put(Bus.ROOM, room).put(Bus.ADDED, added);
    }

    public static Joined fromJson(JsonObject o) {
      return new Joined(o.getString(Bus.ROOM), o.getBoolean(Bus.ADDED, false));
    }
  }

  /** {@link Addresses#ROOM_LEAVE} reply: {@code {v, room, removed}}; removed is false for a non-member. */
  public record Left(String room, boolean removed) {
    public JsonObject toJson() {
      return Bus.doc().put(Bus.ROOM, room).put(Bus.REMOVED, removed);
    }

    public static Left fromJson(JsonObject o) {
      return new Left(o.getString(Bus.ROOM), o.getBoolean(Bus.REMOVED, false));
    }
  }

  /** {@link Addresses#ROOM_MEMBERS} and {@link Addresses#ROOM_DELETE} request: {@code {v, room}}. */
  public record RoomRequest(String room) {
    public JsonObject toJson() {
      return Bus.doc().put(Bus.ROOM, room);
    }

    public static RoomRequest fromJson(JsonObject o) {
      return new RoomRequest(string(o, Bus.ROOM));
    }
  }

  /** {@link Addresses#ROOM_MEMBERS} reply: {@code {v, room, count, members[]}}. */
  public record Members(String room, int count, List<String> members) {
    public JsonObject toJson() {
      return Bus.doc().put(Bus.ROOM, room).put(Bus.COUNT, count).put(Bus.MEMBERS, new JsonArray(members));
    }

    public static Members fromJson(JsonObject o) {
      return new Members(o.getString(Bus.ROOM), o.getInteger(Bus.COUNT), strings(o, Bus.MEMBERS));
    }
  }

  /** {@link Addresses#ROOM_USER_ROOMS} request: {@code {v, user}}. */
  public record UserRoomsRequest(String user) {
    public JsonObject toJson() {
      return Bus.doc().put(Bus.USER, user);
    }

    public static UserRoomsRequest fromJson(JsonObject o) {
      return new UserRoomsRequest(string(o, Bus.USER));
    }
  }

  /** {@link Addresses#ROOM_USER_ROOMS} reply: {@code {v, user, count, rooms[]}}. */
  public record UserRooms(String user, int count, List<String> rooms) {
    public JsonObject toJson() {
      return Bus.doc().put(Bus.USER, user).put(Bus.COUNT, count).put(Bus.ROOMS, new JsonArray(rooms));
    }

    public static UserRooms fromJson(JsonObject o) {
      return new UserRooms(o.getString(Bus.USER), o.getInteger(Bus.COUNT), strings(o, Bus.ROOMS));
    }
  }

  /** {@link Addresses#ROOM_STATS} request: a bare {@code {v}}. */
  public static JsonObject statsRequest() {
    return Bus.doc();
  }

  /** {@link Addresses#ROOM_STATS} reply: {@code {v, rooms}}, how many rooms have members. */
  public record Stats(long rooms) {
    public JsonObject toJson() {
      return Bus.doc().put(Bus.ROOMS, rooms);
    }

    public static Stats fromJson(JsonObject o) {
      return new Stats(o.getLong(Bus.ROOMS));
    }
  }

  /** {@link Addresses#ROOM_DELETE} reply: {@code {v, room, removed}}, how many memberships went with it. */
  public record Deleted(String room, int removed) {
    public JsonObject toJson() {
      return Bus.doc().put(Bus.ROOM, room).put(Bus.REMOVED, removed);
    }

    public static Deleted fromJson(JsonObject o) {
      return new Deleted(o.getString(Bus.ROOM), o.getInteger(Bus.REMOVED));
    }
  }

  private static String string(JsonObject o, String field) {
    return o.getValue(field) instanceof String s ? s : null;
  }

  @SuppressWarnings("unchecked")
  private static List<String> strings(JsonObject o, String field) {
    JsonArray a = o.getJsonArray(field);
    return a == null ? null : List.copyOf(a.getList());
  }
}
