package io.courier.cluster;

import java.io.Serializable;
import java.util.Map;

/**
 * Online users and devices, in total and per node (a user online on two nodes counts on each),
 * and the users some node watches.
 */
public record PresenceCounts(long onlineUsers, long devices, long watchedUsers, Map<String, NodeCounts> nodes)
    implements Serializable {
  /** Users with a connection on one node, and those connections. */
  public record NodeCounts(long users, long devices) implements Serializable {}
}
