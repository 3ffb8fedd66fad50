package io.courier.presence.hazelcast;

import com.hazelcast.aggregation.Aggregator;
import io.courier.cluster.PresenceCounts;
import io.courier.cluster.PresenceCounts.NodeCounts;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Cluster-wide reads of the presence map that run where the data is, one pass per partition. */
final class PresenceAggregators {
  private PresenceAggregators() {}

  /** Every member id that holds a device or a watch in the map: what the orphan sweep checks. */
  static final class MemberIds implements Aggregator<Map.Entry<String, PresenceEntry>, Set<String>> {
    private static final long serialVersionUID = 1L;
    private final HashSet<String> ids = new HashSet<>();

    @Override
    public void accumulate(Map.Entry<String, PresenceEntry> input) {
      PresenceEntry e = input.getValue();
      if (e != null) {
        e.devices().values().forEach(d -> ids.add(d.memberId()));
        ids.addAll(e.watchingMembers());
      }
    }

    @Override
    public void combine(Aggregator aggregator) {
      ids.addAll(((MemberIds) aggregator).ids);
    }

    @Override
    public Set<String> aggregate() {
      return ids;
    }
  }

  /** Online users and devices, in total and per node (a user online on two nodes counts on each). */
  static final class Count implements Aggregator<Map.Entry<String, PresenceEntry>, PresenceCounts> {
    private static final long serialVersionUID = 1L;
    private long users;
    private long devices;
    private long watched;
    private final TreeMap<String, long[]> nodes = new TreeMap<>();

    @Override
    public void accumulate(Map.Entry<String, PresenceEntry> input) {
      PresenceEntry e = input.getValue();
      if (e == null) {
        return;
      }
      if (!e.watchingNodes().isEmpty()) {
        watched++;
      }
      if (!e.online()) {
        return;
      }
      users++;
      devices += e.devices().size();
      Set<String> seen = new HashSet<>();
      for (PresenceEntry.Device d : e.devices().values()) {
        long[] n = nodes.computeIfAbsent(d.nodeId(), k -> new long[2]);
        n[1]++;
        if (seen.add(d.nodeId())) {
          n[0]++;
        }
      }
    }

    @Override
    public void combine(Aggregator aggregator) {
      Count other = (Count) aggregator;
      users += other.users;
      devices += other.devices;
      watched += other.watched;
      other.nodes.forEach((node, n) -> {
        long[] mine = nodes.computeIfAbsent(node, k -> new long[2]);
        mine[0] += n[0];
        mine[1] += n[1];
      });
    }

    @Override
    public PresenceCounts aggregate() {
      Map<String, NodeCounts> out = new TreeMap<>();
      nodes.forEach((node, n) -> out.put(node, new NodeCounts(n[0], n[1])));
      return new PresenceCounts(users, devices, watched, out);
    }
  }
}
