package io.courier.protocol.bus;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.protocol.Bus;
import io.courier.protocol.InboxMessage;
import io.courier.protocol.MsgFrame;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each bus record against the exact document that is on the bus between nodes today: its mapper
 * writes those bytes, and reads them back (as another node's event bus decodes them, small numbers
 * as Integer) into the same record, so nodes of the previous version and this one understand each
 * other during a rolling redeploy.
 */
class BusRecordsTest {

  /** The record writes exactly {@code wire} (each test then reads the decoded text back). */
  private static void sameOnTheWire(JsonObject written, String wire) {
    assertThat(written.encode()).isEqualTo(wire);
  }

  @Test
  void versionIsCheckedTheSameWayEverywhere() {
    assertThat(Bus.readable(Bus.doc())).isTrue();
    assertThat(Bus.readable(new JsonObject("{\"v\":1}"))).isTrue();
    assertThat(Bus.readable(new JsonObject().put(Bus.V, Bus.VERSION + 1))).as("newer").isFalse();
    assertThat(Bus.readable(new JsonObject())).as("no version").isFalse();
    assertThat(Bus.readable(new JsonObject().put(Bus.V, "1"))).as("not an int").isFalse();
    assertThat(Bus.readable(null)).isFalse();
  }

  @Test
  void deliverySendRequest() {
    var direct = new DeliverySend.Request("alice", "m-1", "bob", null, "{\"a\":[1,null]}", 300L);
    String wire = "{\"v\":1,\"from\":\"alice\",\"id\":\"m-1\",\"body\":\"{\\\"a\\\":[1,null]}\",\"ts\":300,\"to\":\"bob\"}";
    sameOnTheWire(direct.toJson(), wire);
    assertThat(DeliverySend.Request.fromJson(new JsonObject(wire))).isEqualTo(direct);

    var room = new DeliverySend.Request("alice", "m-2", null, "lobby", "\"hi\"", 301L);
    assertThat(room.toJson().encode())
        .isEqualTo("{\"v\":1,\"from\":\"alice\",\"id\":\"m-2\",\"body\":\"\\\"hi\\\"\",\"ts\":301,\"room\":\"lobby\"}");
    assertThat(DeliverySend.Request.fromJson(new JsonObject(room.toJson().encode()))).isEqualTo(room);

    // The service bridge's order of fields, and no ts: delivery stamps it.
    var noTs = DeliverySend.Request.fromJson(new JsonObject(
        "{\"v\":1,\"from\":\"system:billing\",\"id\":\"n\",\"to\":\"bob\",\"body\":\"null\"}"));
    assertThat(noTs).isEqualTo(new DeliverySend.Request("system:billing", "n", "bob", null, "null", null));
    assertThat(noTs.toJson().containsKey(Bus.TS)).isFalse();
  }

  @Test
  void deliverySendReply() {
    var reply = new DeliverySend.Reply(1_700_000_000_123L, true, 7, "ep-1");
    String wire = "{\"v\":1,\"ts\":1700000000123,\"dup\":true,\"seq\":7,\"epoch\":\"ep-1\"}";
    sameOnTheWire(reply.toJson(), wire);
    assertThat(DeliverySend.Reply.fromJson(new JsonObject(wire))).isEqualTo(reply);
    assertThat(DeliverySend.Reply.fromJson(new JsonObject("{\"v\":1,\"ts\":5}")))
        .as("seq, dup and epoch optional").isEqualTo(new DeliverySend.Reply(5, false, 0, null));
  }

  @Test
  void deliveryRead() {
    var req = new DeliveryRead.Request("bob", 12, 100);
    String wire = "{\"v\":1,\"user\":\"bob\",\"after\":12,\"limit\":100}";
    sameOnTheWire(req.toJson(), wire);
    assertThat(DeliveryRead.Request.fromJson(new JsonObject(wire))).isEqualTo(req);
    assertThat(DeliveryRead.Request.fromJson(new JsonObject("{\"v\":1,\"user\":\"bob\",\"after\":1}"))).isNull();

    InboxMessage direct = new InboxMessage(13, "ep", "m-1", "alice", "bob", null, "{\"k\":1}", 300);
    InboxMessage inRoom = new InboxMessage(14, "ep", "m-2", "carol", null, "lobby", "2", 301);
    var reply = new DeliveryRead.Reply("ep", 14, 3, List.of(direct, inRoom));
    String replyWire = "{\"v\":1,\"epoch\":\"ep\",\"lastSeq\":14,\"firstAvailable\":3,\"messages\":["
        + "{\"seq\":13,\"epoch\":\"ep\",\"id\":\"m-1\",\"from\":\"alice\",\"body\":\"{\\\"k\\\":1}\",\"ts\":300,\"to\":\"bob\"},"
        + "{\"seq\":14,\"epoch\":\"ep\",\"id\":\"m-2\",\"from\":\"carol\",\"body\":\"2\",\"ts\":301,\"room\":\"lobby\"}]}";
    sameOnTheWire(reply.toJson(), replyWire);
    assertThat(DeliveryRead.Reply.fromJson(new JsonObject(replyWire))).isEqualTo(reply);
  }

  @Test
  void storeChecks() {
    assertThat(StoreChecks.request().encode()).isEqualTo("{\"v\":1}");
    var reply = new StoreChecks("redis", List.of("appendfsync is everysec"));
    String wire = "{\"v\":1,\"store\":\"redis\",\"warnings\":[\"appendfsync is everysec\"]}";
    sameOnTheWire(reply.toJson(), wire);
    assertThat(StoreChecks.fromJson(new JsonObject(wire))).isEqualTo(reply);
    assertThat(StoreChecks.fromJson(new JsonObject("{\"v\":1,\"store\":\"hazelcast\"}")).warnings()).isEmpty();
  }

  @Test
  void nodePush() {
    InboxMessage m = new InboxMessage(3, "ep", "id-3", "alice", "bob", null, "{\"a\":1}", 300);
    String frame = MsgFrame.text(m);
    var push = new NodePush("bob", 3, "ep", "id-3", 300L, frame, 400L);
    String wire = "{\"v\":1,\"to\":\"bob\",\"seq\":3,\"epoch\":\"ep\",\"id\":\"id-3\",\"ts\":300,\"frame\":"
        + Json.encode(frame) + ",\"sentAt\":400}";
    sameOnTheWire(push.toJson(), wire);
    assertThat(NodePush.fromJson(new JsonObject(wire))).isEqualTo(push);

    JsonObject sent = push.toJson();
    assertThat(NodePush.fromJson(sent).frame()).as("the frame text is carried, not copied").isSameAs(frame);

    // A sender that predates id, ts and sentAt beside the frame.
    var old = NodePush.fromJson(new JsonObject().put(Bus.V, 1).put(Bus.TO, "bob").put(Bus.SEQ, 3)
        .put(Bus.EPOCH, "ep").put(Bus.FRAME, frame));
    assertThat(old).isEqualTo(new NodePush("bob", 3, "ep", null, null, frame, null));
    assertThat(old.toJson().fieldNames()).containsExactly("v", "to", "seq", "epoch", "frame");
    assertThat(NodePush.fromJson(new JsonObject().put(Bus.V, 1).put(Bus.TO, "bob").put(Bus.FRAME, frame)))
        .as("no seq").isNull();
  }

  @Test
  void roomPush() {
    var push = new RoomPush("lobby", "m-1", "alice", "{\"t\":\"hi\"}", 300,
        List.of(new RoomPush.Recipient("bob", 4, "e1"), new RoomPush.Recipient("carol", 9, "e2")), 400L);
    String wire = "{\"v\":1,\"room\":\"lobby\",\"id\":\"m-1\",\"from\":\"alice\",\"body\":\"{\\\"t\\\":\\\"hi\\\"}\","
        + "\"ts\":300,\"recipients\":[{\"to\":\"bob\",\"seq\":4,\"epoch\":\"e1\"},{\"to\":\"carol\",\"seq\":9,\"epoch\":\"e2\"}],"
        + "\"sentAt\":400}";
    sameOnTheWire(push.toJson(), wire);
    JsonObject decoded = new JsonObject(wire);
    assertThat(RoomPush.matches(decoded)).isTrue();
    assertThat(RoomPush.fromJson(decoded)).isEqualTo(push);
    assertThat(RoomPush.matches(new NodePush("bob", 1, "e", null, null, "{}", null).toJson())).isFalse();

    // A recipient that cannot be read is skipped; the others are still delivered.
    JsonObject partial = new JsonObject(wire.replace("{\"to\":\"bob\",\"seq\":4,", "{\"to\":\"bob\","));
    assertThat(RoomPush.fromJson(partial).recipients()).containsExactly(new RoomPush.Recipient("carol", 9, "e2"));
  }

  @Test
  void roomMembership() {
    var join = new Rooms.Membership("lobby", "bob");
    String wire = "{\"v\":1,\"room\":\"lobby\",\"user\":\"bob\"}";
    sameOnTheWire(join.toJson(), wire);
    assertThat(Rooms.Membership.fromJson(new JsonObject(wire))).isEqualTo(join);
    assertThat(Rooms.Membership.fromJson(new JsonObject("{\"v\":1,\"room\":7}")))
        .isEqualTo(new Rooms.Membership(null, null));

    var joined = new Rooms.Joined("lobby", true);
    sameOnTheWire(joined.toJson(), "{\"v\":1,\"room\":\"lobby\",\"added\":true}");
    assertThat(Rooms.Joined.fromJson(new JsonObject(joined.toJson().encode()))).isEqualTo(joined);

    var left = new Rooms.Left("lobby", false);
    sameOnTheWire(left.toJson(), "{\"v\":1,\"room\":\"lobby\",\"removed\":false}");
    assertThat(Rooms.Left.fromJson(new JsonObject(left.toJson().encode()))).isEqualTo(left);
  }

  @Test
  void roomAdmin() {
    var room = new Rooms.RoomRequest("lobby");
    sameOnTheWire(room.toJson(), "{\"v\":1,\"room\":\"lobby\"}");
    assertThat(Rooms.RoomRequest.fromJson(new JsonObject("{\"v\":1,\"room\":\"lobby\"}"))).isEqualTo(room);

    var members = new Rooms.Members("lobby", 2, List.of("alice", "bob"));
    String membersWire = "{\"v\":1,\"room\":\"lobby\",\"count\":2,\"members\":[\"alice\",\"bob\"]}";
    sameOnTheWire(members.toJson(), membersWire);
    assertThat(Rooms.Members.fromJson(new JsonObject(membersWire))).isEqualTo(members);

    var user = new Rooms.UserRoomsRequest("bob");
    sameOnTheWire(user.toJson(), "{\"v\":1,\"user\":\"bob\"}");
    assertThat(Rooms.UserRoomsRequest.fromJson(new JsonObject("{\"v\":1,\"user\":\"bob\"}"))).isEqualTo(user);

    var rooms = new Rooms.UserRooms("bob", 1, List.of("lobby"));
    String roomsWire = "{\"v\":1,\"user\":\"bob\",\"count\":1,\"rooms\":[\"lobby\"]}";
    sameOnTheWire(rooms.toJson(), roomsWire);
    assertThat(Rooms.UserRooms.fromJson(new JsonObject(roomsWire))).isEqualTo(rooms);

    assertThat(Rooms.statsRequest().encode()).isEqualTo("{\"v\":1}");
    var stats = new Rooms.Stats(12);
    sameOnTheWire(stats.toJson(), "{\"v\":1,\"rooms\":12}");
    assertThat(Rooms.Stats.fromJson(new JsonObject("{\"v\":1,\"rooms\":12}"))).isEqualTo(stats);

    var deleted = new Rooms.Deleted("lobby", 3);
    sameOnTheWire(deleted.toJson(), "{\"v\":1,\"room\":\"lobby\",\"removed\":3}");
    assertThat(Rooms.Deleted.fromJson(new JsonObject("{\"v\":1,\"room\":\"lobby\",\"removed\":3}"))).isEqualTo(deleted);
  }

  @Test
  void revocationNotice() {
    var user = new RevocationNotice("bob", null, 1_700_000_000_000L);
    sameOnTheWire(user.toJson(), "{\"v\":1,\"user\":\"bob\",\"at\":1700000000000}");
    assertThat(RevocationNotice.fromJson(new JsonObject(user.toJson().encode()))).isEqualTo(user);

    var jti = new RevocationNotice(null, "t-1", 5);
    sameOnTheWire(jti.toJson(), "{\"v\":1,\"jti\":\"t-1\",\"at\":5}");
    assertThat(RevocationNotice.fromJson(new JsonObject("{\"v\":1,\"jti\":\"t-1\",\"at\":5}"))).isEqualTo(jti);

    assertThat(RevocationNotice.fromJson(new JsonObject("{\"v\":1,\"user\":\"bob\"}"))).as("no at").isNull();
    assertThat(RevocationNotice.fromJson(new JsonObject("{\"v\":1,\"at\":5}"))).as("no subject").isNull();
  }

  @Test
  void presenceQuery() {
    var req = new PresenceQuery.Request(List.of("alice", "bob"));
    String wire = "{\"v\":1,\"users\":[\"alice\",\"bob\"]}";
    sameOnTheWire(req.toJson(), wire);
    assertThat(PresenceQuery.Request.fromJson(new JsonObject(wire))).isEqualTo(req);
    assertThat(PresenceQuery.Request.hasUsers(new JsonObject("{\"v\":1}"))).isFalse();
    assertThat(PresenceQuery.Request.fromJson(new JsonObject("{\"v\":1,\"users\":[\"a\",2]}"))).isNull();

    Map<String, UserPresence> users = new LinkedHashMap<>();
    users.put("bob", new UserPresence(true, 2, 1_700_000_000_000L));
    users.put("alice", new UserPresence(false, 0, 0));
    var reply = new PresenceQuery.Reply(users);
    String replyWire = "{\"v\":1,\"users\":{\"bob\":{\"online\":true,\"devices\":2,\"since\":1700000000000},"
        + "\"alice\":{\"online\":false,\"devices\":0}}}";
    sameOnTheWire(reply.toJson(), replyWire);
    PresenceQuery.Reply decoded = PresenceQuery.Reply.fromJson(new JsonObject(replyWire));
    assertThat(decoded).isEqualTo(reply);
    assertThat(decoded.users().keySet()).as("in the order asked").containsExactly("bob", "alice");
    assertThat(decoded.usersJson().encode()).isEqualTo(new JsonObject(replyWire).getJsonObject(Bus.USERS).encode());
  }

  @Test
  void presenceChanges() {
    var changes = new PresenceChanges(List.of(new PresenceChanges.Change("bob", true, 1, 100, 3),
        new PresenceChanges.Change("alice", false, 0, 0, 8)), 500);
    String wire = "{\"v\":1,\"changes\":[{\"online\":true,\"devices\":1,\"since\":100,\"user\":\"bob\",\"rev\":3},"
        + "{\"online\":false,\"devices\":0,\"user\":\"alice\",\"rev\":8}],\"sentAt\":500}";
    sameOnTheWire(changes.toJson(), wire);
    assertThat(PresenceChanges.fromJson(new JsonObject(wire))).isEqualTo(changes);

    JsonObject partial = new JsonObject(wire.replace(",\"rev\":8", ""));
    assertThat(PresenceChanges.fromJson(partial).changes()).as("a change without rev is skipped")
        .containsExactly(new PresenceChanges.Change("bob", true, 1, 100, 3));
    assertThat(PresenceChanges.fromJson(new JsonObject("{\"v\":1}"))).isNull();
  }
}
