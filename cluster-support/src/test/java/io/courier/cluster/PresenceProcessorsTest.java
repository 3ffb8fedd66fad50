package io.courier.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.cluster.PresenceProcessors.AddDevice;
import io.courier.cluster.PresenceProcessors.PurgeMember;
import io.courier.cluster.PresenceProcessors.RemoveDevice;
import io.courier.cluster.PresenceProcessors.Transition;
import io.courier.cluster.PresenceProcessors.Watch;
import java.io.ByteArrayInputStream;
import java.io.ObjectInputStream;
import java.util.AbstractMap;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The presence entry's transitions as the entry processors apply them on the key's owner, run on a
 * plain map entry: exactly one transition for the first device and one for the last, watchers named
 * by the same step, commutative watch counts, and what a departed member's purge leaves.
 */
class PresenceProcessorsTest {
  private final Map.Entry<String, PresenceEntry> entry = new AbstractMap.SimpleEntry<>("carol", null);

  private static PresenceEntry.Device device(String node, String member, long t) {
    return new PresenceEntry.Device(node, member, t);
  }

  @Test
  void onlyTheFirstDeviceAndTheLastDisconnectAreTransitions() {
    Transition first = new AddDevice("carol", "s1", device("n1", "m1", 100), 100).process(entry);
    Transition second = new AddDevice("carol", "s2", device("n2", "m2", 200), 200).process(entry);
    assertThat(first).isNotNull();
    assertThat(first.state()).isEqualTo(new PresenceState("carol", true, 1, 100, 100));
    assertThat(second).as("a second device is no transition").isNull();
    assertThat(entry.getValue().state("carol")).isEqualTo(new PresenceState("carol", true, 2, 100, 100));

    assertThat(new RemoveDevice("carol", "s1", 300).process(entry)).isNull();
    assertThat(new RemoveDevice("carol", "s1", 301).process(entry)).as("removing twice changes nothing").isNull();
    Transition last = new RemoveDevice("carol", "s2", 400).process(entry);
    assertThat(last.state()).isEqualTo(new PresenceState("carol", false, 0, 400, 400));
    assertThat(new RemoveDevice("carol", "gone", 500).process(entry)).isNull();
  }

  @Test
  void revisionsGrowEvenWhenTheClockDoesNot() {
    new AddDevice("carol", "s1", device("n1", "m1", 100), 100).process(entry);
    long a = entry.getValue().rev();
    new RemoveDevice("carol", "s1", 50).process(entry);
    long b = entry.getValue().rev();
    new AddDevice("carol", "s2", device("n1", "m1", 50), 50).process(entry);
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
    Transition t = new AddDevice("carol", "s1", device("n1", "m1", 100), 100).process(entry);
    assertThat(t.watchingNodes()).containsExactly("n2", "n3");
    new Watch("m2", "n2", -1).process(entry);
    assertThat(entry.getValue().watchingNodes()).as("one of n2's two watchers left").containsExactly("n2", "n3");
    new Watch("m2", "n2", -1).process(entry);
    assertThat(new RemoveDevice("carol", "s1", 200).process(entry).watchingNodes()).containsExactly("n3");
  }

  @Test
  void purgeOfADepartedMemberRemovesItsDevicesAndWatchesAndReportsWhoWentOffline() {
    new AddDevice("carol", "s1", device("n1", "m1", 100), 100).process(entry);
    new AddDevice("carol", "s2", device("n1", "m1", 110), 110).process(entry);
    new Watch("m2", "n2", 1).process(entry);
    new Watch("m1", "n1", 1).process(entry);

    assertThat(new PurgeMember("m9", 150).process(entry)).as("a member holding nothing here").isNull();
    Transition t = new PurgeMember("m1", 200).process(entry);
    assertThat(t.state()).isEqualTo(new PresenceState("carol", false, 0, 200, 200));
    assertThat(t.watchingNodes()).as("the departed member is not told").containsExactly("n2");
    assertThat(new PurgeMember("m1", 300).process(entry)).as("idempotent").isNull();

    // A user only the departed member watched, never seen online: nothing is left.
    Map.Entry<String, PresenceEntry> watchedOnly = new AbstractMap.SimpleEntry<>("dave", null);
    new Watch("m1", "n1", 1).process(watchedOnly);
    assertThat(new PurgeMember("m1", 300).process(watchedOnly)).isNull();
    assertThat(watchedOnly.getValue()).isNull();
  }

  /**
   * An entry as a node of the previous version wrote it (two devices, no revision, no watchers),
   * serialized by that version's class: a node of this version reads it, and nodes of both versions
   * can share the map during a rolling restart.
   */
  @Test
  void anEntryWrittenByThePreviousVersionIsReadAsOnlineAndUnwatched() throws Exception {
    PresenceEntry old;
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(Base64.getDecoder().decode(PREVIOUS)))) {
      old = (PresenceEntry) in.readObject();
    }
    assertThat(old.state("carol")).isEqualTo(new PresenceState("carol", true, 2, 100, 0));
    assertThat(old.watchers()).isEmpty();
    Map.Entry<String, PresenceEntry> e = new AbstractMap.SimpleEntry<>("carol", old);
    new Watch("m3", "n3", 1).process(e);
    new RemoveDevice("carol", "s1", 200).process(e);
    Transition t = new RemoveDevice("carol", "s2", 300).process(e);
    assertThat(t.state()).isEqualTo(new PresenceState("carol", false, 0, 300, 300));
    assertThat(t.watchingNodes()).containsExactly("n3");
  }

  /** Serialized by the previous version of {@link PresenceEntry}: devices s1 (n1, m1, 100) and s2 (n2, m2, 120). */
  private static final String PREVIOUS = "rO0ABXNyACBpby5jb3VyaWVyLmNsdXN0ZXIuUHJlc2VuY2VFbnRyeQAAAAAAAAACAgADSgAIbGFzdFNlZW5KAAVzaW5jZUwAB2RldmljZXN0ABNMamF2YS91dGlsL0hhc2hNYXA7eHAAAAAAAAAAAAAAAAAAAABkc3IAEWphdmEudXRpbC5IYXNoTWFwBQfawcMWYNEDAAJGAApsb2FkRmFjdG9ySQAJdGhyZXNob2xkeHA/QAAAAAAADHcIAAAAEAAAAAJ0AAJzMXNyACdpby5jb3VyaWVyLmNsdXN0ZXIuUHJlc2VuY2VFbnRyeSREZXZpY2UAAAAAAAAAAAIAA0oABXNpbmNlTAAIbWVtYmVySWR0ABJMamF2YS9sYW5nL1N0cmluZztMAAZub2RlSWRxAH4AB3hwAAAAAAAAAGR0AAJtMXQAAm4xdAACczJzcQB+AAYAAAAAAAAAeHQAAm0ydAACbjJ4";

  @Test
  void orphansAreMembersOutsideTheClusterWithoutALease() {
    assertThat(Orphans.of(Set.of("live", "leased", "gone"), Set.of("live"), Set.of("leased", "other")))
        .containsExactly("gone");
  }
}
