package io.courier.presence.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.cluster.PresenceState;
import io.courier.presence.hazelcast.PresenceProcessors.AddDevice;
import io.courier.presence.hazelcast.PresenceProcessors.AddDeviceWithin;
import io.courier.presence.hazelcast.PresenceProcessors.Added;
import io.courier.presence.hazelcast.PresenceProcessors.PurgeMember;
import io.courier.presence.hazelcast.PresenceProcessors.RemoveDevice;
import io.courier.presence.hazelcast.PresenceProcessors.Transition;
import io.courier.presence.hazelcast.PresenceProcessors.Watch;
import java.util.AbstractMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The presence entry's transitions as the entry processors apply them on the key's owner, run on a
 * plain map entry: exactly one transition for the first device and one for the last, watchers named
 * by the same step, commutative watch counts, the per-user limit, and what a departed member's purge
 * leaves. The same behaviour through the cluster is {@code HazelcastPresenceContractTest}.
 */
class PresenceProcessorsTest {
  private final Map.Entry<String, PresenceEntry> entry = new AbstractMap.SimpleEntry<>("carol", null);

  private static PresenceEntry.Device device(String node, String member, long t) {
    return new PresenceEntry.Device(node, member, t);
  }

  private Object add(String session, String node, String member, long t) {
    return new AddDevice(session, device(node, member, t), t).process(entry);
  }

  private Object remove(String session, long t) {
    return new RemoveDevice(session, t).process(entry);
  }

  @Test
  void onlyTheFirstDeviceAndTheLastDisconnectAreTransitions() {
    new Watch("m7", "n7", 1).process(entry);
    Object first = add("s1", "n1", "m1", 100);
    Object second = add("s2", "n2", "m2", 200);
    assertThat(first).isEqualTo(new Transition(new PresenceState("carol", true, 1, 100, 100), Set.of("n7")));
    assertThat(second).as("a second device is no transition").isNull();
    assertThat(entry.getValue().state("carol")).isEqualTo(new PresenceState("carol", true, 2, 100, 100));

    assertThat(remove("s1", 300)).isNull();
    assertThat(remove("s1", 301)).as("removing twice changes nothing").isNull();
    Object last = remove("s2", 400);
    assertThat(last).isEqualTo(new Transition(new PresenceState("carol", false, 0, 400, 400), Set.of("n7")));
    assertThat(remove("gone", 500)).isNull();
  }

  @Test
  void aTransitionNobodyWatchesIsAppliedButNotReported() {
    assertThat(add("s1", "n1", "m1", 100)).isNull();
    assertThat(entry.getValue().state("carol")).isEqualTo(new PresenceState("carol", true, 1, 100, 100));
    assertThat(remove("s1", 200)).isNull();
    assertThat(entry.getValue().state("carol")).isEqualTo(new PresenceState("carol", false, 0, 200, 200));
  }

  @Test
  void revisionsGrowEvenWhenTheClockDoesNot() {
    add("s1", "n1", "m1", 100);
    long a = entry.getValue().rev();
    remove("s1", 50);
    long b = entry.getValue().rev();
    add("s2", "n1", "m1", 50);
    assertThat(b).isGreaterThan(a);
    assertThat(entry.getValue().rev()).isGreaterThan(b);
  }

  @Test
  void watchCountsCommuteAndNameTheWatchingNodes() {
    // An unwatch that reaches the map before its watch leaves the count at -1: no node is told...
    PresenceState read = new Watch("m2", "n2", -1).process(entry);
    assertThat(read).isEqualTo(PresenceState.unknown("carol"));
    assertThat(entry.getValue().watchingNodes()).isEmpty();
    // ...and the late watch brings it back to 0, which removes the registration and the entry.
    new Watch("m2", "n2", 1).process(entry);
    assertThat(entry.getValue()).as("an entry holding nothing is removed").isNull();

    new Watch("m2", "n2", 1).process(entry);
    new Watch("m2", "n2", 1).process(entry);
    new Watch("m3", "n3", 1).process(entry);
    assertThat(new Watch("m9", "n9", 0).process(entry)).as("a read does not register").isEqualTo(PresenceState.unknown("carol"));
    assertThat(entry.getValue().watchingNodes()).containsExactly("n2", "n3");
    Transition t = (Transition) add("s1", "n1", "m1", 100);
    assertThat(t.watchingNodes()).containsExactly("n2", "n3");
    new Watch("m2", "n2", -1).process(entry);
    assertThat(entry.getValue().watchingNodes()).as("one of n2's two watchers left").containsExactly("n2", "n3");
    new Watch("m2", "n2", -1).process(entry);
    assertThat(((Transition) remove("s1", 200)).watchingNodes()).containsExactly("n3");
  }

  @Test
  void purgeOfADepartedMemberRemovesItsDevicesAndWatchesAndReportsWhoWentOffline() {
    add("s1", "n1", "m1", 100);
    add("s2", "n1", "m1", 110);
    new Watch("m2", "n2", 1).process(entry);
    new Watch("m1", "n1", 1).process(entry);

    assertThat(new PurgeMember("m9", 150).process(entry)).as("a member holding nothing here").isNull();
    Transition t = (Transition) new PurgeMember("m1", 200).process(entry);
    assertThat(t.state()).isEqualTo(new PresenceState("carol", false, 0, 200, 200));
    assertThat(t.watchingNodes()).as("the departed member is not told").containsExactly("n2");
    assertThat(new PurgeMember("m1", 300).process(entry)).as("idempotent").isNull();

    // A user only the departed member watched, never seen online: nothing is left.
    Map.Entry<String, PresenceEntry> watchedOnly = new AbstractMap.SimpleEntry<>("dave", null);
    new Watch("m1", "n1", 1).process(watchedOnly);
    assertThat(new PurgeMember("m1", 300).process(watchedOnly)).isNull();
    assertThat(watchedOnly.getValue()).isNull();
  }

  @Test
  void aStoredEntryIsNeverChangedInPlace() {
    add("s1", "n1", "m1", 100);
    PresenceEntry before = entry.getValue();
    add("s2", "n1", "m1", 110);
    new Watch("m2", "n2", 1).process(entry);
    new PurgeMember("m1", 200).process(entry);
    assertThat(before.devices()).containsOnlyKeys("s1");
    assertThat(before.watchers()).isEmpty();
    assertThat(before.online()).isTrue();
  }

  @Test
  void theLimitCountsOtherSessionsButNotTheOneRegisteringAgain() {
    new Watch("m7", "n7", 1).process(entry);
    Added first = new AddDeviceWithin("s1", device("n1", "m1", 100), 100, 2).process(entry);
    assertThat(first.registered()).isTrue();
    assertThat(first.transition().state()).isEqualTo(new PresenceState("carol", true, 1, 100, 100));
    assertThat(new AddDeviceWithin("s2", device("n1", "m1", 110), 110, 2).process(entry))
        .isEqualTo(new Added(true, null));
    assertThat(new AddDeviceWithin("s3", device("n1", "m1", 120), 120, 2).process(entry).registered())
        .as("a third at a limit of two").isFalse();
    assertThat(new AddDeviceWithin("s2", device("n2", "m2", 130), 130, 2).process(entry).registered())
        .as("a session already counted").isTrue();
    assertThat(entry.getValue().devices()).containsOnlyKeys("s1", "s2");
  }
}
