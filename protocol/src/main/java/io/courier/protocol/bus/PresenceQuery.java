package io.courier.protocol.bus;

import io.courier.protocol.Addresses;
import io.courier.protocol.Bus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@link Addresses#PRESENCE_QUERY}: the presence of a list of users, cluster-wide. Served by presence. */
public final class PresenceQuery {
  private PresenceQuery() {}

  /** {@code {v, users[]}}. */
  public record Request(List<String> users) {
    public JsonObject toJson() {
      return Bus.doc().put(Bus.USERS, new JsonArray(new ArrayList<>(users)));
    }

    /** Whether the document has the users list at all (else it is no presence request). */
    public static boolean hasUsers(JsonObject o) {
      return o.getValue(Bus.USERS) instanceof JsonArray;
    }

    /** The request, or null when users is missing or lists something other than a string. */
    public static Request fromJson(JsonObject o) {
      if (!(o.getValue(Bus.USERS) instanceof JsonArray users)) {
        return null;
      }
      List<String> ids = new ArrayList<>(users.size());
      for (Object u : users) {
        if (!(u instanceof String s)) {
          return null;
        }
        ids.add(s);
      }
      return new Request(ids);
    }
  }

  /** {@code {v, users: {<id>: {online, devices, since?}}}}, in the order asked (see {@link UserPresence}). */
  public record Reply(Map<String, UserPresence> users) {
    public JsonObject toJson() {
      return Bus.doc().put(Bus.USERS, usersJson());
    }

    /** The users object, as the {@code presence} frame carries it. */
    public JsonObject usersJson() {
      JsonObject out = new JsonObject();
      users.forEach((id, p) -> out.put(id, p.toJson()));
      return out;
    }

    /** The reply; a user whose entry is unreadable is left out. */
    public static Reply fromJson(JsonObject o) {
      Map<String, UserPresence> users = new LinkedHashMap<>();
      JsonObject found = o.getJsonObject(Bus.USERS, new JsonObject());
      for (String id : found.fieldNames()) {
        UserPresence p = UserPresence.fromJson(found.getValue(id));
        if (p != null) {
          users.put(id, p);
        }
      }
      return new Reply(users);
    }
  }
}
