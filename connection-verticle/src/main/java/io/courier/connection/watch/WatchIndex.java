package io.courier.connection.watch;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * This node's watched users: user -> the local connections watching them. A presence change sent to
 * the node reaches every watcher of the user through it, so the cluster knows only that the node
 * watches (one count per member in the presence entry), never which connection. Shared by the
 * node's gateway instances and the node's change consumer, so it is concurrent, like {@link Sessions}.
 */
final class WatchIndex<S> {
  private final ConcurrentHashMap<String, Set<S>> byUser = new ConcurrentHashMap<>();
  private final AtomicInteger pairs = new AtomicInteger();

  void add(S sink, Collection<String> users) {
    for (String u : users) {
      byUser.compute(u, (k, set) -> {
        Set<S> s = set == null ? ConcurrentHashMap.newKeySet() : set;
        if (s.add(sink)) {
          pairs.incrementAndGet();
        }
        return s;
      });
    }
  }

  void remove(S sink, Collection<String> users) {
    for (String u : users) {
      byUser.computeIfPresent(u, (k, set) -> {
        if (set.remove(sink)) {
          pairs.decrementAndGet();
        }
        return set.isEmpty() ? null : set;
      });
    }
  }

  /** The local watchers of {@code user} (a snapshot). */
  List<S> sinks(String user) {
    Set<S> set = byUser.get(user);
    return set == null ? List.of() : List.copyOf(set);
  }

  /** Every user watched here (a snapshot). */
  List<String> users() {
    return new ArrayList<>(byUser.keySet());
  }

  int userCount() {
    return byUser.size();
  }

  int pairCount() {
    return pairs.get();
  }
}
