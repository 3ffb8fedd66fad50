package io.courier.cluster;

import io.courier.protocol.bus.PresenceChanges;
import io.courier.protocol.bus.UserPresence;
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
    return new UserPresence(online, devices, since).toJson();
  }

  /** One element of a presence-change bus message. */
  public PresenceChanges.Change change() {
    return new PresenceChanges.Change(user, online, devices, since, rev);
  }

  /** The reverse of {@link #change()}. */
  public static PresenceState of(PresenceChanges.Change c) {
    return new PresenceState(c.user(), c.online(), c.devices(), c.since(), c.rev());
  }
}
