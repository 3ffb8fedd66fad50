package io.courier.cluster;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;

/**
 * Presence of one user in the cluster map: the open connections (sessionId -> nodeId), when the
 * user came online, and when last seen. Mutated only inside entry processors, on the owning member.
 */
public final class PresenceEntry implements Serializable {
  private static final long serialVersionUID = 1L;

  private final HashMap<String, String> devices = new HashMap<>();
  private long since;
  private long lastSeen;

  public Map<String, String> devices() {
    return devices;
  }

  public boolean online() {
    return !devices.isEmpty();
  }

  /** When the user came online (first device), or 0 while offline. */
  public long since() {
    return since;
  }

  /** When the last device went away (0 if never seen offline). */
  public long lastSeen() {
    return lastSeen;
  }

  void add(String sessionId, String nodeId, long now) {
    if (devices.isEmpty()) {
      since = now;
    }
    devices.put(sessionId, nodeId);
  }

  boolean remove(String sessionId, long now) {
    boolean removed = devices.remove(sessionId) != null;
    if (removed && devices.isEmpty()) {
      since = 0;
      lastSeen = now;
    }
    return removed;
  }

  boolean removeNode(String nodeId, long now) {
    boolean changed = devices.values().removeIf(nodeId::equals);
    if (changed && devices.isEmpty()) {
      since = 0;
      lastSeen = now;
    }
    return changed;
  }
}
