package io.courier.cluster;

import io.vertx.core.Future;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The cluster-wide presence of users: which connections (devices) each user holds and on which
 * node, which nodes watch each user, and the online/offline transitions told to those watchers.
 * One instance per node ({@link NodeContext#presence()}), shared by its verticles; the
 * implementation is found through {@link PresenceFactory}. Every call completes on the caller's
 * context and never blocks it.
 *
 * <p>A transition (a user's first device added, its last removed, or its last purged) is decided
 * once, where the user's entry lives, and the implementation tells each watching node at once (on
 * {@code Addresses.presenceChanged(nodeId)}).
 */
public interface Presence {
  /** This member's id, under which its devices and watches are registered (purged when it departs). */
  String localMemberId();

  /** Registers a connection held by {@code nodeId}; on the user's first, tells the watchers. */
  default Future<Void> addDevice(String userId, String sessionId, String nodeId) {
    return addDeviceWithin(userId, sessionId, nodeId, 0).mapEmpty();
  }

  /**
   * Registers a connection unless the user already holds {@code limit} or more in the cluster (0:
   * no limit), the check and the add as one step, so concurrent handshakes of one user on several
   * nodes never pass the limit together. True if registered.
   */
  Future<Boolean> addDeviceWithin(String userId, String sessionId, String nodeId, int limit);

  /** Removes a connection; when it was the user's last, tells the watchers. */
  Future<Void> removeDevice(String userId, String sessionId);

  /** The nodes holding a connection of {@code userId}: empty when offline. What routing a push reads. */
  Future<Set<String>> nodesOf(String userId);

  /** {@link #nodesOf} for many users in one call; users offline are left out. */
  Future<Map<String, Set<String>>> nodesOfAll(Collection<String> userIds);

  /** The state of each of {@code userIds} ({@link PresenceState#unknown} for a user never seen). */
  Future<Map<String, PresenceState>> states(Collection<String> userIds);

  /** Everything known of one user: its connections, the watching nodes (empty for a user never seen). */
  Future<PresenceDetail> detail(String userId);

  /**
   * Changes this member's watch count of each user by {@code delta} (+1: one more connection of
   * {@code nodeId} watches; 0: only read) and returns each user's state as of that change:
   * transitions after it are told to {@code nodeId}.
   */
  Future<Map<String, PresenceState>> watch(Collection<String> users, String nodeId, int delta);

  /** One connection of this member no longer watches these users. */
  default Future<Void> unwatch(Collection<String> users, String nodeId) {
    return watch(users, nodeId, -1).mapEmpty();
  }

  /**
   * Removes every device and watch registered by the member {@code memberId} (crashed or departed)
   * and tells the watchers of each user who went offline with it. Returns the watched users who
   * went offline (an unwatched one goes offline all the same, with nobody to tell).
   */
  Future<List<PresenceState>> purgeMember(String memberId);

  /** Removes the devices and watches this member registered (an orderly stop). */
  default Future<List<PresenceState>> purgeLocal() {
    return purgeMember(localMemberId());
  }

  /** Every member id holding a device or a watch: what the sweep for departed members checks. */
  Future<Set<String>> memberIds();

  /** Online users, devices and watched users, in total and per node. */
  Future<PresenceCounts> counts();

  /**
   * Takes or renews this member's lease, held for at least {@code ttlMs}: while it holds, the sweep
   * never purges the member. A member takes it before registering its first device or watch.
   */
  Future<Void> renewLease(String nodeId, long ttlMs);

  /** Gives this member's lease up (an orderly stop). */
  Future<Void> releaseLease();

  /** memberId -> nodeId of every lease held now. */
  Future<Map<String, String>> leases();
}
