package io.courier.connection.session;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * This node's open connections by user. Shared by the node's gateway instances (each on its own
 * event loop) and the node inbox, so it is concurrent; a session itself is only touched on its own
 * context.
 */
public final class Sessions {
  private final ConcurrentHashMap<String, Set<Session>> byUser = new ConcurrentHashMap<>();
  private final AtomicInteger count = new AtomicInteger();
  /** Connections open or on their way (handshake accepted, upgrade not finished): what the limit counts. */
  private final AtomicInteger admitted = new AtomicInteger();

  /** Takes a place under {@code limit} for a handshake; false when the node is full. */
  public boolean tryAdmit(int limit) {
    while (true) {
      int n = admitted.get();
      if (n >= limit) {
        return false;
      }
      if (admitted.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  /** Gives back a place taken by {@link #tryAdmit}: the handshake failed or the connection closed. */
  public void release() {
    admitted.decrementAndGet();
  }

  /** Users with open connections here: userId -> connection count (a snapshot). */
  public java.util.Map<String, Integer> perUser() {
    java.util.Map<String, Integer> out = new java.util.HashMap<>();
    byUser.forEach((u, set) -> {
      if (!set.isEmpty()) {
        out.put(u, set.size());
      }
    });
    return out;
  }

  public void add(Session s) {
    byUser.computeIfAbsent(s.userId(), u -> ConcurrentHashMap.newKeySet()).add(s);
    count.incrementAndGet();
  }

  public void remove(Session s) {
    byUser.computeIfPresent(s.userId(), (u, set) -> {
      if (set.remove(s)) {
        count.decrementAndGet();
      }
      return set.isEmpty() ? null : set;
    });
  }

  /** Every open connection of this node (a snapshot). */
  public List<Session> all() {
    List<Session> out = new java.util.ArrayList<>(count.get());
    byUser.values().forEach(out::addAll);
    return out;
  }

  public List<Session> of(String userId) {
    Set<Session> set = byUser.get(userId);
    return set == null ? List.of() : List.copyOf(set);
  }

  public int size() {
    return count.get();
  }
}
