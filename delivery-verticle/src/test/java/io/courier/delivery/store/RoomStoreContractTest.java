package io.courier.delivery.store;

import static io.courier.delivery.store.Inboxes.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.courier.delivery.store.RoomStore.JoinOutcome;
import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.testing.Ports;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What every {@link RoomStore} must do. Each test uses its own rooms and users; the room count is
 * shared by the backing store, so tests compare it before and after.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class RoomStoreContractTest {

  /** A membership store on the backing service; {@code instance} 0 and 1 are separate clients (or members). */
  protected abstract RoomStore rooms(RoomSettings settings, int instance);

  /** Settings pointing at the backing service. */
  protected abstract CourierConfig config();

  protected final RoomStore rooms(int maxRoomsPerUser, int maxMembers) {
    return rooms(RoomSettings.from(config().with(ConfigKeys.MAX_ROOMS_PER_USER, maxRoomsPerUser)
        .with(ConfigKeys.MAX_ROOM_MEMBERS, maxMembers)), 0);
  }

  protected final RoomStore rooms() {
    return rooms(RoomSettings.from(config()), 0);
  }

  static String room() {
    return Ports.uniqueName("room");
  }

  static String user() {
    return Ports.uniqueName("user");
  }

  @Test
  void joinAndLeaveAreIdempotentAndSeenFromEveryInstance() {
    RoomStore here = rooms();
    RoomStore there = rooms(RoomSettings.from(config()), 1);
    String room = room();
    String alice = user();
    String bob = user();
    long before = await(here.roomCount());

    assertThat(await(here.join(room, alice))).isEqualTo(JoinOutcome.JOINED);
    assertThat(await(there.join(room, alice))).isEqualTo(JoinOutcome.ALREADY_MEMBER);
    assertThat(await(there.join(room, bob))).isEqualTo(JoinOutcome.JOINED);
    assertThat(await(here.members(room))).containsExactlyElementsOf(sorted(alice, bob));
    assertThat(await(there.roomsOf(alice))).containsExactly(room);
    assertThat(await(here.roomCount())).isEqualTo(before + 1);

    assertThat(await(there.leave(room, alice))).isTrue();
    assertThat(await(here.leave(room, alice))).isFalse();
    assertThat(await(here.members(room))).containsExactly(bob);
    assertThat(await(here.roomsOf(alice))).isEmpty();
    assertThat(await(here.leave(room, bob))).isTrue();
    assertThat(await(there.members(room))).isEmpty();
    assertThat(await(here.roomCount())).isEqualTo(before);
  }

  @Test
  void aRoomTakesMembersUpToItsCapAndNoMore() {
    RoomStore store = rooms(100, 3);
    String room = room();
    List<String> users = List.of(user(), user(), user());
    for (String u : users) {
      assertThat(await(store.join(room, u))).isEqualTo(JoinOutcome.JOINED);
    }
    String late = user();
    assertThat(await(store.join(room, late))).isEqualTo(JoinOutcome.ROOM_FULL);
    assertThat(await(store.members(room))).hasSize(3).doesNotContain(late);
    assertThat(await(store.roomsOf(late))).as("a refused join leaves no index entry").isEmpty();
    // A member joining again is not refused by the cap.
    assertThat(await(store.join(room, users.get(0)))).isEqualTo(JoinOutcome.ALREADY_MEMBER);

    await(store.leave(room, users.get(1)));
    assertThat(await(store.join(room, late))).isEqualTo(JoinOutcome.JOINED);
    assertThat(await(store.members(room))).hasSize(3).contains(late);
  }

  @Test
  void aUserJoinsRoomsUpToItsCapAndNoMore() {
    RoomStore store = rooms(2, 100);
    String alice = user();
    String r1 = room();
    String r2 = room();
    String r3 = room();
    assertThat(await(store.join(r1, alice))).isEqualTo(JoinOutcome.JOINED);
    assertThat(await(store.join(r2, alice))).isEqualTo(JoinOutcome.JOINED);
    assertThat(await(store.join(r3, alice))).isEqualTo(JoinOutcome.TOO_MANY_ROOMS);
    assertThat(await(store.members(r3))).isEmpty();
    assertThat(await(store.roomsOf(alice))).containsExactlyElementsOf(sorted(r1, r2));
    assertThat(await(store.join(r2, alice))).isEqualTo(JoinOutcome.ALREADY_MEMBER);

    await(store.leave(r1, alice));
    assertThat(await(store.join(r3, alice))).isEqualTo(JoinOutcome.JOINED);
    assertThat(await(store.roomsOf(alice))).containsExactlyElementsOf(sorted(r2, r3));
  }

  @Test
  void concurrentJoinsNeverPassTheCap() {
    RoomStore here = rooms(100, 5);
    RoomStore there = rooms(RoomSettings.from(config().with(ConfigKeys.MAX_ROOM_MEMBERS, 5)), 1);
    String room = room();
    List<Future<JoinOutcome>> joins = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      joins.add((i % 2 == 0 ? here : there).join(room, user()));
    }
    await(Future.join(joins));
    long joined = joins.stream().filter(f -> f.result() == JoinOutcome.JOINED).count();
    long full = joins.stream().filter(f -> f.result() == JoinOutcome.ROOM_FULL).count();
    assertThat(joined).isEqualTo(5);
    assertThat(full).isEqualTo(19);
    assertThat(await(here.members(room))).hasSize(5);
  }

  @Test
  void deletingARoomRemovesEveryMembership() {
    RoomStore store = rooms();
    String room = room();
    String other = room();
    List<String> users = List.of(user(), user(), user());
    long before = await(store.roomCount());
    for (String u : users) {
      await(store.join(room, u));
    }
    await(store.join(other, users.get(0)));
    assertThat(await(store.roomCount())).isEqualTo(before + 2);

    assertThat(await(store.delete(room))).isEqualTo(3);
    assertThat(await(store.members(room))).isEmpty();
    for (String u : users) {
      assertThat(await(store.roomsOf(u))).doesNotContain(room);
    }
    assertThat(await(store.roomsOf(users.get(0)))).containsExactly(other);
    assertThat(await(store.roomCount())).isEqualTo(before + 1);
    assertThat(await(store.delete(room))).isZero();
  }

  @Test
  void idsAreExactAndCaseSensitive() {
    RoomStore store = rooms();
    String suffix = Ports.uniqueName("");
    String alice = "al}ice@x " + suffix;
    List<String> ids = List.of("Room" + suffix, "room" + suffix, "a}b" + suffix, "{x}" + suffix, "r@1" + suffix,
        "チャット " + suffix);
    for (String id : ids) {
      assertThat(await(store.join(id, alice))).as(id).isEqualTo(JoinOutcome.JOINED);
    }
    for (String id : ids) {
      assertThat(await(store.members(id))).as(id).containsExactly(alice);
    }
    assertThat(await(store.roomsOf(alice))).containsExactlyInAnyOrderElementsOf(ids);
    await(store.leave("Room" + suffix, alice));
    assertThat(await(store.members("room" + suffix))).containsExactly(alice);
    assertThat(await(store.members("Room" + suffix))).isEmpty();
  }

  private static List<String> sorted(String... ids) {
    List<String> l = new ArrayList<>(List.of(ids));
    l.sort(null);
    return l;
  }
}
