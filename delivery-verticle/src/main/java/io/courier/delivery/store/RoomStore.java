package io.courier.delivery.store;

import io.vertx.core.Future;
import java.util.List;

/**
 * Room membership, cluster-wide and as durable as the inboxes: it lives in the same backend as the
 * message store (Hazelcast maps or Redis sets). Two views are kept: room -> members, which is the
 * authority (fan-out and the member check of a room send read it), and user -> rooms, an index for
 * the per-user cap and the admin read. A join writes the index first and the room second; a leave
 * removes in the opposite order; so after a crash between the two writes the index holds at worst
 * a room the user is not in (it counts toward the cap until the user joins or leaves that room
 * again), never the other way round.
 *
 * <p>Caps ({@code COURIER_MAX_ROOMS_PER_USER}, {@code COURIER_MAX_ROOM_MEMBERS}) are checked
 * atomically with the write they guard, so concurrent joins never pass them. Room ids and user ids
 * are compared exactly. Failures are {@link StoreUnavailableException}; futures complete on the
 * caller's context.
 */
public interface RoomStore {

  /** How a join ended. */
  enum JoinOutcome {
    /** The user is now a member. */
    JOINED,
    /** The user already was a member; nothing changed. */
    ALREADY_MEMBER,
    /** The room has {@code COURIER_MAX_ROOM_MEMBERS} members; nothing changed. */
    ROOM_FULL,
    /** The user is in {@code COURIER_MAX_ROOMS_PER_USER} rooms; nothing changed. */
    TOO_MANY_ROOMS
  }

  Future<JoinOutcome> join(String room, String user);

  /** True if the user was a member. Leaving a room one is not in is not an error. */
  Future<Boolean> leave(String room, String user);

  /** The room's members, sorted; empty for a room nobody is in. */
  Future<List<String>> members(String room);

  /** The user's rooms, sorted. */
  Future<List<String>> roomsOf(String user);

  /** How many rooms have at least one member. */
  Future<Long> roomCount();

  /** Removes every member of the room (and the room from each member's rooms); how many there were. */
  Future<Integer> delete(String room);

  Future<Void> close();
}
