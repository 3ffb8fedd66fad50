package io.courier.presence.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import io.courier.cluster.Maps;
import io.courier.presence.hazelcast.PresenceProcessors.AddDevice;
import io.courier.presence.hazelcast.PresenceProcessors.RemoveDevice;

/**
 * Changes the presence map exactly as a gateway does, but without telling the watchers: what a node
 * that died between its map update and its change message leaves behind. For tests of the watchers'
<<<<<<<< HEAD:node/src/test/java/io/courier/cluster/UntoldPresence.java
 * periodic re-read.
========
 * periodic re-read (published in this module's test-jar).
>>>>>>>> main:presence-verticle/src/test/java/io/courier/presence/hazelcast/UntoldPresence.java
 */
public final class UntoldPresence {
  private UntoldPresence() {}

  public static void addDevice(HazelcastInstance hz, String user, String sessionId, String nodeId) {
    long now = System.currentTimeMillis();
    String member = hz.getCluster().getLocalMember().getUuid().toString();
    hz.<String, PresenceEntry>getMap(Maps.PRESENCE)
        .executeOnKey(user, new AddDevice(sessionId, new PresenceEntry.Device(nodeId, member, now), now));
  }

  public static void removeDevice(HazelcastInstance hz, String user, String sessionId) {
    hz.<String, PresenceEntry>getMap(Maps.PRESENCE)
        .executeOnKey(user, new RemoveDevice(sessionId, System.currentTimeMillis()));
  }
}
