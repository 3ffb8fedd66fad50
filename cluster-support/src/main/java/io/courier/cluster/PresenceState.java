package io.courier.cluster;

import io.courier.protocol.Bus;
import io.vertx.core.json.JsonObject;
import java.io.Serializable;

/**
 * What a watcher learns about one user at one revision: online or not, how many connections, and
 * since when (came online, or last seen; 0 if never seen). {@code rev} grows at every online/offline
 * transition of the user, so a receiver keeps the newest state and drops late ones.
 */
public record PresenceState(String user, boolean online, int devices, long since, long rev) implements Serializable {

  /** A user the map has never seen. */
  public static PresenceState unknown(String user) {
    return new PresenceState(user, false, 0, 0, 0);
  }

  /** The wire shape of one user in a {@code presence} frame: {online, devices, [since]}. */
  public JsonObject wire() {
    JsonObject o = new JsonObject().put(Bus.ONLINE, online).put(Bus.DEVICES, devices);
    if (since > 0) {
      o.put(Bus.SINCE, since);
    }
    return o;
  }

  /** One element of a presence-change bus message: {user, online, devices, since?, rev}. */
  public JsonObject toBus() {
    return wire().put(Bus.USER, user).put(Bus.REV, rev);
  }

  /** The reverse of {@link #toBus()}; null for an element that lacks a field. */
  public static PresenceState fromBus(Object element) {
    if (!(element instanceof JsonObject o) || !(o.getValue(Bus.USER) instanceof String user)
        || !(o.getValue(Bus.ONLINE) instanceof Boolean online) || !(o.getValue(Bus.DEVICES) instanceof Number devices)
        || !(o.getValue(Bus.REV) instanceof Number rev)) {
      return null;
    }
    long since = o.getValue(Bus.SINCE) instanceof Number s ? s.longValue() : 0;
    return new PresenceState(user, online, devices.intValue(), since, rev.longValue());
  }
}
