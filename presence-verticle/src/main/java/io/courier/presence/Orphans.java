package io.courier.presence;

import java.util.Set;
import java.util.TreeSet;

/**
 * Which members' presence data to purge without a member-removed event: those that hold devices or
 * watches in the map, are not in the cluster's member list, and hold no lease. Read the member ids
 * in the map first and the leases after: a member registers its lease before its first device, so a
 * device seen in the map always has its lease visible to the later read while the member lives.
 */
public final class Orphans {
  private Orphans() {}

  public static Set<String> of(Set<String> inMap, Set<String> clusterMembers, Set<String> leased) {
    Set<String> out = new TreeSet<>(inMap);
    out.removeAll(clusterMembers);
    out.removeAll(leased);
    return out;
  }
}
