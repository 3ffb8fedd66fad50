package io.courier.presence.hazelcast;

import io.courier.cluster.PresenceState;
import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Presence of one user in the cluster map: the open connections (sessionId -> where it is held),
 * when the user came online and when last seen, a revision that grows at every online/offline
 * transition, and which members watch the user (so the step that decides a transition also names
 * whom to tell). Changed only inside entry processors, on the owning member, and copy-on-write: the
 * map keeps entries as objects (OBJECT in-memory format), so a stored entry is never mutated while
 * a query or aggregation may be reading it; the processors change a {@link #copy()}.
 *
 * <p>Java-serialized, under this class's name: members share the map only with members that have
 * the same class (a member reading an entry written by another version of it gets fields it lacks
 * as 0/null, and skips fields it does not know).
 */
final class PresenceEntry implements Serializable {
  private static final long serialVersionUID = 2L;

  /**
   * Where one connection is held: the node id routes pushes; the Hazelcast member id (new at every
   * start) decides what a departed member takes with it, so a node restarted under the same node id
   * never loses its new connections to the purge of its previous life.
   */
  public record Device(String nodeId, String memberId, long since) implements Serializable {
    /**
     * Node and member ids repeat in every entry of a node: interned, they are one string per member
     * however many devices and copies (deserialization goes through this constructor too).
     */
    public Device {
      nodeId = nodeId.intern();
      memberId = memberId.intern();
    }
  }

  /**
   * The connections of one member that watch this user: {@code count} is changed by +1/-1 per
   * connection, which commutes, so watch and unwatch requests may reach the map in any order. The
   * member is told about transitions while its count is above 0.
   */
  public record Watcher(String nodeId, int count) implements Serializable {
    public Watcher {
      nodeId = nodeId.intern();
    }
  }

  private final HashMap<String, Device> devices;
  private long since;
  private long lastSeen;
  private long rev;
  /** memberId -> watcher; null while no member watches (most entries), which saves a map. */
  private HashMap<String, Watcher> watchers;

  public PresenceEntry() {
    devices = new HashMap<>(2);
  }

  private PresenceEntry(PresenceEntry other) {
    devices = new HashMap<>(other.devices);
    since = other.since;
    lastSeen = other.lastSeen;
    rev = other.rev;
    watchers = other.watchers == null ? null : new HashMap<>(other.watchers);
  }

  /** A copy to change (devices and watchers are immutable records, so the maps are copied shallowly). */
  PresenceEntry copy() {
    return new PresenceEntry(this);
  }

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

  /** Grows at every online/offline transition (0: never online). */
  public long rev() {
    return rev;
  }

  /** memberId -> watcher (empty when nobody watches). */
  public Map<String, Watcher> watchers() {
    return watchers == null ? Map.of() : watchers;
  }

  /** Member ids holding a watch count here (whatever its sign). */
  Set<String> watchingMembers() {
    return watchers == null ? Set.of() : watchers.keySet();
  }

  /** Node ids of the members watching this user now. */
  public Set<String> watchingNodes() {
    Set<String> out = new TreeSet<>();
    if (watchers != null) {
      watchers.values().forEach(w -> {
        if (w.count() > 0) {
          out.add(w.nodeId());
        }
      });
    }
    return out;
  }

  public PresenceState state(String user) {
    return new PresenceState(user, online(), devices.size(), online() ? since : lastSeen, rev);
  }

  /** True when the entry holds nothing worth keeping: no device, no watcher, never seen. */
  boolean empty() {
    return devices.isEmpty() && (watchers == null || watchers.isEmpty()) && lastSeen == 0;
  }

  /** Adds a device; true when the user came online with it. */
  boolean add(String sessionId, Device device, long now) {
    boolean cameOnline = devices.isEmpty();
    devices.put(sessionId, device);
    if (cameOnline) {
      since = now;
      bumpRev(now);
    }
    return cameOnline;
  }

  /** Removes a device; true when it was the user's last one (the user went offline). */
  boolean remove(String sessionId, long now) {
    if (devices.remove(sessionId) == null || !devices.isEmpty()) {
      return false;
    }
    wentOffline(now);
    return true;
  }

  /** What a departed member leaves behind; true when the user went offline with it. */
  boolean removeMember(String memberId, long now) {
    if (watchers != null && watchers.remove(memberId) != null && watchers.isEmpty()) {
      watchers = null;
    }
    boolean wasOnline = !devices.isEmpty();
    devices.values().removeIf(d -> d.memberId().equals(memberId));
    if (wasOnline && devices.isEmpty()) {
      wentOffline(now);
      return true;
    }
    return false;
  }

  /** Whether the member holds a device or a watch here (it changes the entry when purged). */
  boolean holds(String memberId) {
    if (watchers != null && watchers.containsKey(memberId)) {
      return true;
    }
    for (Device d : devices.values()) {
      if (d.memberId().equals(memberId)) {
        return true;
      }
    }
    return false;
  }

  /** Changes the member's watcher count by {@code delta} (which may pass through negatives). */
  void watch(String memberId, String nodeId, int delta) {
    if (delta == 0) {
      return;
    }
    if (watchers == null) {
      watchers = new HashMap<>(2);
    }
    Watcher w = watchers.get(memberId);
    int count = (w == null ? 0 : w.count()) + delta;
    if (count == 0) {
      watchers.remove(memberId);
      if (watchers.isEmpty()) {
        watchers = null;
      }
    } else {
      // The key is interned like Device's ids: one string per member across all entries.
      watchers.put(memberId.intern(), new Watcher(nodeId, count));
    }
  }

  private void wentOffline(long now) {
    since = 0;
    lastSeen = now;
    bumpRev(now);
  }

  /**
   * Strictly increasing, and at least the time of the transition: should the entry ever be lost (every
   * replica of its partition), the next revision still passes any a watcher holds.
   */
  private void bumpRev(long now) {
    rev = Math.max(rev + 1, now);
  }
}
