package io.courier.protocol.bus;

import io.courier.protocol.Addresses;
import io.courier.protocol.Bus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Presence transitions of users watched on a node, sent one-way to that node
 * ({@link Addresses#presenceChanged}): {@code {v, changes: [{online, devices, since?, user, rev}], sentAt}}.
 * Fire and forget: a lost message is made up by the watching node's periodic re-read.
 */
public record PresenceChanges(List<Change> changes, long sentAt) {

  /**
   * One user's state at one revision. {@code rev} grows at every online/offline transition of the
   * user: a receiver drops a change older than one it has.
   */
  public record Change(String user, boolean online, int devices, long since, long rev) {
    public JsonObject toJson() {
      return new UserPresence(online, devices, since).toJson().put(Bus.USER, user).put(Bus.REV, rev);
    }

    /** Null for an element that lacks a field (the others still count). */
    public static Change fromJson(Object element) {
      UserPresence p = UserPresence.fromJson(element);
      if (p == null || !(((JsonObject) element).getValue(Bus.USER) instanceof String user)
          || !(((JsonObject) element).getValue(Bus.REV) instanceof Number rev)) {
        return null;
      }
      return new Change(user, p.online(), p.devices(), p.since(), rev.longValue());
    }
  }

  public JsonObject toJson() {
    JsonArray list = new JsonArray(new ArrayList<>(changes.size()));
    for (Change c : changes) {
      list.add(c.toJson());
    }
    return Bus.doc().put(Bus.CHANGES, list).put(Bus.SENT_AT, sentAt);
  }

  /** The changes, or null when the document has no changes list; sentAt reads 0 when missing. */
  public static PresenceChanges fromJson(JsonObject o) {
    if (!(o.getValue(Bus.CHANGES) instanceof JsonArray list)) {
      return null;
    }
    List<Change> changes = new ArrayList<>(list.size());
    for (Object element : list) {
      Change c = Change.fromJson(element);
      if (c != null) {
        changes.add(c);
      }
    }
    return new PresenceChanges(changes, o.getValue(Bus.SENT_AT) instanceof Number n ? n.longValue() : 0);
  }
}
