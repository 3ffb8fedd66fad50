package io.courier.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.map.EntryProcessor;
import io.courier.cluster.PresenceProcessors.Transition;
import io.courier.cluster.PresenceProcessors.Watch;
import io.courier.cluster.PresenceRegistry.AddDevice;
import io.courier.cluster.PresenceRegistry.PurgeMember;
import io.courier.cluster.PresenceRegistry.RemoveDevice;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.util.AbstractMap;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The presence entry's transitions as the entry processors apply them on the key's owner, run on a
 * plain map entry: exactly one transition for the first device and one for the last, watchers named
 * by the same step, commutative watch counts, what a departed member's purge leaves, and processors
 * and entries of the previous version.
 */
class PresenceProcessorsTest {
  private final Map.Entry<String, PresenceEntry> entry = new AbstractMap.SimpleEntry<>("carol", null);

  private static PresenceEntry.Device device(String node, String member, long t) {
    return new PresenceEntry.Device(node, member, t);
  }

  private Object add(String session, String node, String member, long t) {
    return new AddDevice(session, device(node, member, t), t, "carol").process(entry);
  }

  private Object remove(String session, long t) {
    return new RemoveDevice(session, t, "carol").process(entry);
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

    assertThat(new PurgeMember("m9", 150, true).process(entry)).as("a member holding nothing here").isNull();
    Transition t = (Transition) new PurgeMember("m1", 200, true).process(entry);
    assertThat(t.state()).isEqualTo(new PresenceState("carol", false, 0, 200, 200));
    assertThat(t.watchingNodes()).as("the departed member is not told").containsExactly("n2");
    assertThat(new PurgeMember("m1", 300, true).process(entry)).as("idempotent").isNull();

    // A user only the departed member watched, never seen online: nothing is left.
    Map.Entry<String, PresenceEntry> watchedOnly = new AbstractMap.SimpleEntry<>("dave", null);
    new Watch("m1", "n1", 1).process(watchedOnly);
    assertThat(new PurgeMember("m1", 300, true).process(watchedOnly)).isNull();
    assertThat(watchedOnly.getValue()).isNull();
  }

  @Test
  void aStoredEntryIsNeverChangedInPlace() {
    add("s1", "n1", "m1", 100);
    PresenceEntry before = entry.getValue();
    add("s2", "n1", "m1", 110);
    new Watch("m2", "n2", 1).process(entry);
    new PurgeMember("m1", 200, true).process(entry);
    assertThat(before.devices()).containsOnlyKeys("s1");
    assertThat(before.watchers()).isEmpty();
    assertThat(before.online()).isTrue();
  }

  /**
   * An entry as a node of the previous version wrote it (two devices, no revision, no watchers),
   * serialized by that version's class: a node of this version reads it, and nodes of both versions
   * can share the map during a rolling restart.
   */
  @Test
  void anEntryWrittenByThePreviousVersionIsReadAsOnlineAndUnwatched() throws Exception {
    PresenceEntry old = read(PREVIOUS_ENTRY);
    assertThat(old.state("carol")).isEqualTo(new PresenceState("carol", true, 2, 100, 0));
    assertThat(old.watchers()).isEmpty();
    entry.setValue(old);
    new Watch("m3", "n3", 1).process(entry);
    remove("s1", 200);
    Transition t = (Transition) remove("s2", 300);
    assertThat(t.state()).isEqualTo(new PresenceState("carol", false, 0, 300, 300));
    assertThat(t.watchingNodes()).containsExactly("n3");
  }

  /**
   * An entry this version wrote, watchers included, read by the previous version's class (loaded
   * from its class files, compiled from that version's source with --release 17 and kept under
   * {@code previous-version/} in the test resources): it sees the
   * devices and skips what it does not know, so previous-version nodes keep routing during a
   * rolling restart.
   */
  @Test
  void anEntryWithWatchersIsReadableByThePreviousVersion() throws Exception {
    add("s1", "n1", "m1", 100);
    new Watch("m3", "n3", 1).process(entry);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(entry.getValue());
    }
    ClassLoader previous = new ClassLoader(null) {
      @Override
      protected Class<?> findClass(String name) throws ClassNotFoundException {
        // ".class.bin", not ".class": test scanners must not take them for test classes.
        String path = "previous-version/" + name.replace('.', '/') + ".class.bin";
        try (InputStream in = PresenceProcessorsTest.class.getClassLoader().getResourceAsStream(path)) {
          if (in == null) {
            throw new ClassNotFoundException(name);
          }
          byte[] b = in.readAllBytes();
          return defineClass(name, b, 0, b.length);
        } catch (java.io.IOException e) {
          throw new ClassNotFoundException(name, e);
        }
      }
    };
    Object old;
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray())) {
      @Override
      protected Class<?> resolveClass(ObjectStreamClass desc) throws ClassNotFoundException {
        return Class.forName(desc.getName(), false, previous);
      }
    }) {
      old = in.readObject();
    }
    assertThat(old.getClass().getClassLoader()).isSameAs(previous);
    assertThat(((Map<?, ?>) old.getClass().getMethod("devices").invoke(old)).keySet()).isEqualTo(Set.of("s1"));
    assertThat(old.getClass().getMethod("online").invoke(old)).isEqualTo(true);
  }

  /**
   * Processors sent by a node of the previous version (serialized by its classes) run here and
   * answer as that version did, a Boolean, which is all its caller can read.
   */
  @Test
  @SuppressWarnings("unchecked")
  void processorsOfThePreviousVersionAnswerAsItDid() throws Exception {
    new Watch("m3", "n3", 1).process(entry);
    EntryProcessor<String, PresenceEntry, Object> oldAdd = read(PREVIOUS_ADD);
    assertThat(oldAdd.process(entry)).isEqualTo(Boolean.TRUE);
    assertThat(entry.getValue().devices().get("s9")).isEqualTo(device("n9", "m9", 500));
    add("s1", "n1", "m1", 550);
    EntryProcessor<String, PresenceEntry, Object> oldRemove = read(PREVIOUS_REMOVE);
    assertThat(oldRemove.process(entry)).as("s1 was not the last device").isEqualTo(Boolean.FALSE);
    EntryProcessor<String, PresenceEntry, Object> oldPurge = read(PREVIOUS_PURGE);
    assertThat(oldPurge.process(entry)).as("m1 held nothing left").isEqualTo(Boolean.FALSE);
    assertThat(entry.getValue().state("carol").online()).isTrue();
  }

  @Test
  void orphansAreMembersOutsideTheClusterWithoutALease() {
    assertThat(Orphans.of(Set.of("live", "leased", "gone"), Set.of("live"), Set.of("leased", "other")))
        .containsExactly("gone");
  }

  @SuppressWarnings("unchecked")
  private static <T> T read(String base64) throws Exception {
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(Base64.getDecoder().decode(base64)))) {
      return (T) in.readObject();
    }
  }

  /** Serialized by the previous version: a PresenceEntry with devices s1 (n1, m1, 100) and s2 (n2, m2, 120). */
  private static final String PREVIOUS_ENTRY = "rO0ABXNyACBpby5jb3VyaWVyLmNsdXN0ZXIuUHJlc2VuY2VFbnRyeQAAAAAAAAACAgADSgAIbGFzdFNlZW5KAAVzaW5jZUwAB2RldmljZXN0ABNMamF2YS91dGlsL0hhc2hNYXA7eHAAAAAAAAAAAAAAAAAAAABkc3IAEWphdmEudXRpbC5IYXNoTWFwBQfawcMWYNEDAAJGAApsb2FkRmFjdG9ySQAJdGhyZXNob2xkeHA/QAAAAAAADHcIAAAAEAAAAAJ0AAJzMXNyACdpby5jb3VyaWVyLmNsdXN0ZXIuUHJlc2VuY2VFbnRyeSREZXZpY2UAAAAAAAAAAAIAA0oABXNpbmNlTAAIbWVtYmVySWR0ABJMamF2YS9sYW5nL1N0cmluZztMAAZub2RlSWRxAH4AB3hwAAAAAAAAAGR0AAJtMXQAAm4xdAACczJzcQB+AAYAAAAAAAAAeHQAAm0ydAACbjJ4";
  /** Serialized by the previous version: AddDevice("s9", Device("n9", "m9", 500), 500). */
  private static final String PREVIOUS_ADD = "rO0ABXNyAC1pby5jb3VyaWVyLmNsdXN0ZXIuUHJlc2VuY2VSZWdpc3RyeSRBZGREZXZpY2UAAAAAAAAAAAIAA0oAA25vd0wABmRldmljZXQAKUxpby9jb3VyaWVyL2NsdXN0ZXIvUHJlc2VuY2VFbnRyeSREZXZpY2U7TAAJc2Vzc2lvbklkdAASTGphdmEvbGFuZy9TdHJpbmc7eHAAAAAAAAAB9HNyACdpby5jb3VyaWVyLmNsdXN0ZXIuUHJlc2VuY2VFbnRyeSREZXZpY2UAAAAAAAAAAAIAA0oABXNpbmNlTAAIbWVtYmVySWRxAH4AAkwABm5vZGVJZHEAfgACeHAAAAAAAAAB9HQAAm05dAACbjl0AAJzOQ==";
  /** Serialized by the previous version: RemoveDevice("s1", 600). */
  private static final String PREVIOUS_REMOVE = "rO0ABXNyADBpby5jb3VyaWVyLmNsdXN0ZXIuUHJlc2VuY2VSZWdpc3RyeSRSZW1vdmVEZXZpY2UAAAAAAAAAAAIAAkoAA25vd0wACXNlc3Npb25JZHQAEkxqYXZhL2xhbmcvU3RyaW5nO3hwAAAAAAAAAlh0AAJzMQ==";
  /** Serialized by the previous version: PurgeMember("m1", 700). */
  private static final String PREVIOUS_PURGE = "rO0ABXNyAC9pby5jb3VyaWVyLmNsdXN0ZXIuUHJlc2VuY2VSZWdpc3RyeSRQdXJnZU1lbWJlcgAAAAAAAAAAAgACSgADbm93TAAIbWVtYmVySWR0ABJMamF2YS9sYW5nL1N0cmluZzt4cAAAAAAAAAK8dAACbTE=";
}
