package io.courier.cluster;

import com.hazelcast.map.EntryProcessor;
import java.io.Serializable;
import java.util.Map;
import java.util.Set;

/**
 * The watch processor and the transition result. The device processors are nested in
 * {@link PresenceRegistry} ({@code AddDevice}, {@code RemoveDevice}, {@code PurgeMember}) because
 * their class names are part of what nodes of the previous version send. Each processor runs on
 * the key's owner as one atomic step and is deterministic (the time comes with it), so Hazelcast
 * can replay it on the backups.
 */
final class PresenceProcessors {
  private PresenceProcessors() {}

  /**
   * A user went online or offline while watched: the new state and the nodes watching the user.
   * Not returned for a user nobody watches (nobody to tell), so a purge of a node whose users are
   * unwatched moves no results.
   */
  record Transition(PresenceState state, Set<String> watchingNodes) implements Serializable {}

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
