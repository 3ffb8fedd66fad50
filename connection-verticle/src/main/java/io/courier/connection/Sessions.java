package io.courier.connection;

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

  void add(Session s) {
    byUser.computeIfAbsent(s.userId(), u -> ConcurrentHashMap.newKeySet()).add(s);
    count.incrementAndGet();
  }

  void remove(Session s) {
    byUser.computeIfPresent(s.userId(), (u, set) -> {
      if (set.remove(s)) {
        count.decrementAndGet();
      }
      return set.isEmpty() ? null : set;
    });
  }

  List<Session> of(String userId) {
    Set<Session> set = byUser.get(userId);
    return set == null ? List.of() : List.copyOf(set);
  }

  public int size() {
    return count.get();
  }
}
