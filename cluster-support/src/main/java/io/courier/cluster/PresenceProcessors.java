package io.courier.cluster;

import com.hazelcast.map.EntryProcessor;
import java.io.Serializable;
import java.util.Map;
import java.util.Set;

/**
 * The entry processors that change {@link PresenceEntry}s. Each runs on the key's owner as one
 * atomic step, so two devices connecting at once give one transition, and the step that decides a
 * transition also reads who watches the user. Each is deterministic (the time comes with it), so
 * Hazelcast can replay it on the backups.
 */
final class PresenceProcessors {
  private PresenceProcessors() {}

  /** A user went online or offline: the new state and the nodes watching the user. */
  record Transition(PresenceState state, Set<String> watchingNodes) implements Serializable {}

  /** What {@link AddDevice} did: whether it registered the device, and the transition if any. */
  record Added(boolean registered, Transition transition) implements Serializable {}

  record AddDevice(String user, String sessionId, PresenceEntry.Device device, long now)
      implements EntryProcessor<String, PresenceEntry, Transition> {
    @Override
    public Transition process(Map.Entry<String, PresenceEntry> entry) {
      PresenceEntry e = entry.getValue() == null ? new PresenceEntry() : entry.getValue().copy();
      boolean cameOnline = e.add(sessionId, device, now);
      entry.setValue(e);
      return cameOnline ? new Transition(e.state(user), e.watchingNodes()) : null;
    }
  }

  /**
   * {@link AddDevice} unless the user already holds {@code limit} or more devices (0: no limit); the
   * check and the add are one step, so concurrent handshakes on several nodes cannot pass the limit
   * together.
   */
  record AddDeviceWithin(String user, String sessionId, PresenceEntry.Device device, long now, int limit)
      implements EntryProcessor<String, PresenceEntry, Added> {
    @Override
    public Added process(Map.Entry<String, PresenceEntry> entry) {
      PresenceEntry stored = entry.getValue();
      if (limit > 0 && stored != null && stored.devices().size() >= limit
          && !stored.devices().containsKey(sessionId)) {
        return new Added(false, null);
      }
      return new Added(true, new AddDevice(user, sessionId, device, now).process(entry));
    }
  }

  record RemoveDevice(String user, String sessionId, long now)
      implements EntryProcessor<String, PresenceEntry, Transition> {
    @Override
    public Transition process(Map.Entry<String, PresenceEntry> entry) {
      PresenceEntry stored = entry.getValue();
      if (stored == null || !stored.devices().containsKey(sessionId)) {
        return null;
      }
      PresenceEntry e = stored.copy();
      boolean wentOffline = e.remove(sessionId, now);
      entry.setValue(e);
      return wentOffline ? new Transition(e.state(user), e.watchingNodes()) : null;
    }
  }

  /**
   * Removes every device and watch of a departed member. Returns a transition for each user who
   * went offline with it; entries left with nothing (a never-seen user only that member watched)
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
      return wentOffline ? new Transition(e.state(entry.getKey()), e.watchingNodes()) : null;
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
}
