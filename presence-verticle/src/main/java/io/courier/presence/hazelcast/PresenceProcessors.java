package io.courier.presence.hazelcast;

import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import io.courier.cluster.PresenceState;
import java.io.Serializable;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The entry processors of the presence map. Each runs on the key's owner as one atomic step and is
 * deterministic (the time comes with it), so Hazelcast can replay it on the backups. A device
 * processor answers a {@link Transition} when the user went online or offline while watched, else
 * null: whoever applied the transition tells the watchers.
 */
public final class PresenceProcessors {
  private PresenceProcessors() {}

  /**
   * A user went online or offline while watched: the new state and the nodes watching the user.
   * Not returned for a user nobody watches (nobody to tell), so a purge of a node whose users are
   * unwatched moves no results.
   */
  record Transition(PresenceState state, Set<String> watchingNodes) implements Serializable {}

  /** Adds a device. */
  record AddDevice(String sessionId, PresenceEntry.Device device, long now)
      implements EntryProcessor<String, PresenceEntry, Transition> {
    @Override
    public Transition process(Map.Entry<String, PresenceEntry> entry) {
      PresenceEntry e = entry.getValue() == null ? new PresenceEntry() : entry.getValue().copy();
      boolean cameOnline = e.add(sessionId, device, now);
      entry.setValue(e);
      return transition(cameOnline, e, entry.getKey());
    }
  }

  /** What {@link AddDeviceWithin} did: whether it registered the device, and {@link AddDevice}'s answer if so. */
  record Added(boolean registered, Transition transition) implements Serializable {}

  /**
   * {@link AddDevice} unless the user already holds {@code limit} or more devices; the check and the
   * add are one step, so concurrent handshakes on several nodes cannot pass the limit together.
   */
  record AddDeviceWithin(String sessionId, PresenceEntry.Device device, long now, int limit)
      implements EntryProcessor<String, PresenceEntry, Added> {
    @Override
    public Added process(Map.Entry<String, PresenceEntry> entry) {
      PresenceEntry stored = entry.getValue();
      if (stored != null && stored.devices().size() >= limit && !stored.devices().containsKey(sessionId)) {
        return new Added(false, null);
      }
      return new Added(true, new AddDevice(sessionId, device, now).process(entry));
    }
  }

  /** Removes a device. */
  record RemoveDevice(String sessionId, long now) implements EntryProcessor<String, PresenceEntry, Transition> {
    @Override
    public Transition process(Map.Entry<String, PresenceEntry> entry) {
      PresenceEntry stored = entry.getValue();
      if (stored == null || !stored.devices().containsKey(sessionId)) {
        return null;
      }
      PresenceEntry e = stored.copy();
      boolean wentOffline = e.remove(sessionId, now);
      entry.setValue(e);
      return transition(wentOffline, e, entry.getKey());
    }
  }

  /**
   * Removes every device and watch of a departed member; a transition for each watched user who
   * went offline with it. Entries left with nothing (a never-seen user only that member watched)
   * are deleted.
   */
  record PurgeMember(String memberId, long now) implements EntryProcessor<String, PresenceEntry, Transition> {
    @Override
    public Transition process(Map.Entry<String, PresenceEntry> entry) {
      PresenceEntry stored = entry.getValue();
      if (stored == null || !stored.holds(memberId)) {
        return null;
      }
      PresenceEntry e = stored.copy();
      boolean wentOffline = e.removeMember(memberId, now);
      entry.setValue(e.empty() ? null : e);
      return transition(wentOffline, e, entry.getKey());
    }
  }

  /**
   * Changes the calling member's watch count of the user by {@code delta} (+1 watch, -1 unwatch, 0
   * only read) and returns the user's state at that moment: every transition after it is told to
   * the member, every one before it is in the returned state.
   */
  record Watch(String memberId, String nodeId, int delta) implements EntryProcessor<String, PresenceEntry, PresenceState> {
    @Override
    public PresenceState process(Map.Entry<String, PresenceEntry> entry) {
      PresenceEntry e = entry.getValue();
      if (delta != 0) {
        e = e == null ? new PresenceEntry() : e.copy();
        e.watch(memberId, nodeId, delta);
        entry.setValue(e.empty() ? null : e);
      }
      return e == null ? PresenceState.unknown(entry.getKey()) : e.state(entry.getKey());
    }
  }

  /**
   * Node ids of an entry's devices, read-only and answered with a plain array: routing a push reads
   * only these, so the entry itself is never copied (a {@code get} clones it, serializing the whole
   * entry, on every call).
   */
  public static final class NodesOf implements EntryProcessor<String, PresenceEntry, String[]>, ReadOnly, DataSerializable {
    static final NodesOf INSTANCE = new NodesOf();

    public NodesOf() {}

    @Override
    public String[] process(Map.Entry<String, PresenceEntry> entry) {
      return nodesIn(entry.getValue()).toArray(String[]::new);
    }

    @Override
    public EntryProcessor<String, PresenceEntry, String[]> getBackupProcessor() {
      return null;
    }

    @Override
    public void writeData(ObjectDataOutput out) {}

    @Override
    public void readData(ObjectDataInput in) {}
  }

  static Set<String> nodesIn(PresenceEntry entry) {
    if (entry == null) {
      return Set.of();
    }
    Set<String> nodes = new HashSet<>();
    entry.devices().values().forEach(d -> nodes.add(d.nodeId()));
    return nodes;
  }

  private static Transition transition(boolean transition, PresenceEntry e, String user) {
    if (!transition) {
      return null;
    }
    Set<String> watching = e.watchingNodes();
    return watching.isEmpty() ? null : new Transition(e.state(user), watching);
  }
}
