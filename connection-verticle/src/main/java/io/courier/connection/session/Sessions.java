package io.courier.connection.session;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * This node's open connections by user. Shared by the node's gateway instances (each on its own
 * event loop) and the node inbox, so it is concurrent; a session itself is only touched on its own
 * context.
 *
 * <p>A user's connections are an array replaced whole on every change, inside the map's atomic
 * compute for that user, and never changed once published: readers take it without a lock. Most
 * users hold one connection, and one array of one costs 24 bytes where a concurrent set cost about
 * 200 (its map, key view and table) for every connected user.
 */
public final class Sessions {
  private static final Session[] NONE = new Session[0];
  private final ConcurrentHashMap<String, Session[]> byUser = new ConcurrentHashMap<>();
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
    byUser.forEach((u, held) -> out.put(u, held.length));
    return out;
  }

  public void add(Session s) {
    byUser.compute(s.userId(), (u, held) -> {
      if (held == null) {
        return new Session[] {s};
      }
      if (indexOf(held, s) >= 0) {
        return held;
      }
      Session[] more = Arrays.copyOf(held, held.length + 1);
      more[held.length] = s;
      return more;
    });
    count.incrementAndGet();
  }

  public void remove(Session s) {
    byUser.computeIfPresent(s.userId(), (u, held) -> {
      int i = indexOf(held, s);
      if (i < 0) {
        return held;
      }
      count.decrementAndGet();
      if (held.length == 1) {
        return null;
      }
      Session[] fewer = new Session[held.length - 1];
      System.arraycopy(held, 0, fewer, 0, i);
      System.arraycopy(held, i + 1, fewer, i, held.length - i - 1);
      return fewer;
    });
  }

  private static int indexOf(Session[] held, Session s) {
    for (int i = 0; i < held.length; i++) {
      if (held[i] == s) {
        return i;
      }
    }
    return -1;
  }

  /** Every open connection of this node (a snapshot). */
  public List<Session> all() {
    List<Session> out = new java.util.ArrayList<>(count.get());
    byUser.values().forEach(held -> out.addAll(Arrays.asList(held)));
    return out;
  }

  public List<Session> of(String userId) {
    return List.of(byUser.getOrDefault(userId, NONE));
  }

  public int size() {
    return count.get();
  }
}
