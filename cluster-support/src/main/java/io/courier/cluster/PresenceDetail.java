package io.courier.cluster;

import java.util.Map;
import java.util.Set;

/**
 * What is known of one user: its connections (sessionId -> where held and since when), when it
 * came online ({@code since}, 0 while offline), when it was last seen ({@code lastSeen}, 0 if
 * never seen offline), and the nodes watching it.
 */
public record PresenceDetail(String user, Map<String, Connection> connections, long since, long lastSeen,
                           Set<String> watchingNodes) {
  /** One connection: the node holding it and when it was registered. */
  public record Connection(String nodeId, long since) {}

  /** A user never seen. */
  public static PresenceDetail unknown(String user) {
    return new PresenceDetail(user, Map.of(), 0, 0, Set.of());
  }

  public boolean online() {
    return !connections.isEmpty();
  }
}
