package io.courier.connection.watch;

import io.courier.cluster.PresenceState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The users one connection watches, and what it last told the client about each: the client hears
 * {@code presence_changed} only when a user's online state differs from what it was last told (the
 * {@code watch} reply or an earlier change), and never from a revision older than one it has seen,
 * however changes from several nodes interleave. While a {@code watch} waits for its reply, changes
 * of its users are held (the newest one) and judged against that reply. Plain and confined to the
 * connection's context.
 */
public final class SessionWatches {
  private static final class Watched {
    /** Revision the client's view of the user rests on; -1 before the first reply. */
    long rev = -1;
    boolean online;
    /** Watch requests of this user waiting for their reply. */
    int pending;
    /** The newest change that arrived while a reply was pending. */
    PresenceState held;
  }

  /** What a finished {@code watch} leaves to do: changes to write after the reply, users dropped. */
  public record Outcome(List<PresenceState> tell, List<String> dropped) {}

  private final Map<String, Watched> watched = new HashMap<>();

  public int size() {
    return watched.size();
  }

  boolean watches(String user) {
    return watched.containsKey(user);
  }

  public static List<String> distinct(List<String> users) {
    return new ArrayList<>(new LinkedHashSet<>(users));
  }

  /** The users of {@code users} this connection does not watch yet. */
  public List<String> fresh(List<String> users) {
    List<String> out = new ArrayList<>();
    for (String u : users) {
      if (!watched.containsKey(u)) {
        out.add(u);
      }
    }
    return out;
  }

  /** A watch request for {@code users} (distinct) goes out: they are watched, their changes held. */
  public void begin(List<String> users) {
    for (String u : users) {
      watched.computeIfAbsent(u, k -> new Watched()).pending++;
    }
  }

  /**
   * The reply of a watch request: {@code states} is what the client is told now. Returns the held
   * changes that differ from it, to write after the reply.
   */
  public Outcome complete(List<String> users, Map<String, PresenceState> states) {
    List<PresenceState> tell = new ArrayList<>();
    for (String u : users) {
      Watched w = watched.get(u);
      if (w == null) {
        continue; // unwatched meanwhile
      }
      PresenceState s = states.get(u);
      if (s != null) {
        w.rev = s.rev();
        w.online = s.online();
      }
      release(w, tell);
    }
    return new Outcome(tell, List.of());
  }

  /**
   * A watch request failed: users it added that have never had a reply are dropped (returned);
   * the others keep their previous view.
   */
  public Outcome fail(List<String> users, List<String> fresh) {
    List<PresenceState> tell = new ArrayList<>();
    for (String u : users) {
      Watched w = watched.get(u);
      if (w != null) {
        release(w, tell);
      }
    }
    List<String> dropped = new ArrayList<>();
    for (String u : fresh) {
      Watched w = watched.get(u);
      if (w != null && w.rev < 0 && w.pending == 0) {
        watched.remove(u);
        dropped.add(u);
      }
    }
    tell.removeIf(s -> !watched.containsKey(s.user()));
    return new Outcome(tell, dropped);
  }

  private void release(Watched w, List<PresenceState> tell) {
    w.pending--;
    if (w.pending == 0 && w.held != null) {
      PresenceState h = w.held;
      w.held = null;
      if (w.rev >= 0 && apply(w, h)) {
        tell.add(h);
      }
    }
  }

  /** Stops watching; returns the users that were watched. */
  public List<String> remove(List<String> users) {
    List<String> out = new ArrayList<>();
    for (String u : users) {
      if (watched.remove(u) != null) {
        out.add(u);
      }
    }
    return out;
  }

  /** Stops watching everyone (the connection closed); returns who was watched. */
  public List<String> clear() {
    List<String> all = new ArrayList<>(watched.keySet());
    watched.clear();
    return all;
  }

  /** A change arrived (pushed, or re-read): true when the client must be told. */
  public boolean accept(PresenceState s) {
    Watched w = watched.get(s.user());
    if (w == null) {
      return false;
    }
    if (w.pending > 0) {
      if (w.held == null || s.rev() > w.held.rev()) {
        w.held = s;
      }
      return false;
    }
    return apply(w, s);
  }

  private static boolean apply(Watched w, PresenceState s) {
    if (s.rev() <= w.rev) {
      return false;
    }
    boolean changed = s.online() != w.online;
    w.rev = s.rev();
    w.online = s.online();
    return changed;
  }
}
