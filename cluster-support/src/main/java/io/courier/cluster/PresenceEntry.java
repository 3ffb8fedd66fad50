package io.courier.cluster;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;

/**
 * Presence of one user in the cluster map: the open connections (sessionId -> where it is held),
 * when the user came online, and when last seen. Mutated only inside entry processors, on the
 * owning member.
 */
public final class PresenceEntry implements Serializable {
  private static final long serialVersionUID = 2L;

  /**
   * Where one connection is held: the node id routes pushes; the Hazelcast member id (new at every
   * start) decides what a departed member takes with it, so a node restarted under the same node id
   * never loses its new connections to the purge of its previous life.
   */
  public record Device(String nodeId, String memberId, long since) implements Serializable {}

  private final HashMap<String, Device> devices = new HashMap<>();
  private long since;
  private long lastSeen;

  public Map<String, Device> devices() {
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

  void add(String sessionId, Device device, long now) {
    if (devices.isEmpty()) {
      since = now;
    }
    devices.put(sessionId, device);
  }

  boolean remove(String sessionId, long now) {
    boolean removed = devices.remove(sessionId) != null;
    if (removed && devices.isEmpty()) {
      since = 0;
      lastSeen = now;
    }
    return removed;
  }

  boolean removeMember(String memberId, long now) {
    boolean changed = devices.values().removeIf(d -> d.memberId().equals(memberId));
    if (changed && devices.isEmpty()) {
      since = 0;
      lastSeen = now;
    }
    return changed;
  }
}
