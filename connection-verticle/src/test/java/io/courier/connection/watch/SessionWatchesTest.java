package io.courier.connection.watch;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.cluster.PresenceState;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What one connection tells its client about watched users, whatever order changes arrive in. */
class SessionWatchesTest {
  private final SessionWatches w = new SessionWatches();

  private static PresenceState on(String u, long rev) {
    return new PresenceState(u, true, 1, rev, rev);
  }

  private static PresenceState off(String u, long rev) {
    return new PresenceState(u, false, 0, rev, rev);
  }

  @Test
  void onlyChangesOfTheOnlineStateNewerThanTheClientsViewAreTold() {
    List<String> users = List.of("bob");
    w.begin(users);
    assertThat(w.complete(users, Map.of("bob", off("bob", 10))).tell()).isEmpty();
    assertThat(w.accept(off("bob", 10))).as("what the reply said").isFalse();
    assertThat(w.accept(on("bob", 20))).isTrue();
    assertThat(w.accept(on("bob", 20))).as("the same change twice (push and re-read)").isFalse();
    assertThat(w.accept(off("bob", 15))).as("older than what the client has").isFalse();
    assertThat(w.accept(off("bob", 30))).isTrue();
    // Off (40) then on (50) arrive swapped: the newer one is told, the late older one dropped.
    assertThat(w.accept(on("bob", 50))).isTrue();
    assertThat(w.accept(off("bob", 40))).isFalse();
    assertThat(w.accept(on("bob", 60))).as("newer, but the client already knows bob is online").isFalse();
    assertThat(w.accept(on("carol", 70))).as("not watched").isFalse();
  }

  @Test
  void changesWhileTheReplyIsPendingAreJudgedAgainstTheReply() {
    List<String> users = List.of("bob", "carol");
    w.begin(users);
    assertThat(w.accept(on("bob", 20))).as("held").isFalse();
    assertThat(w.accept(off("bob", 30))).isFalse();
    assertThat(w.accept(on("carol", 5))).isFalse();
    // The reply read bob at rev 20 (online) and carol at rev 5: only bob's later change is told.
    SessionWatches.Outcome o = w.complete(users, Map.of("bob", on("bob", 20), "carol", on("carol", 5)));
    assertThat(o.tell()).containsExactly(off("bob", 30));
  }

  @Test
  void overlappingWatchesHoldUntilTheLastReply() {
    w.begin(List.of("bob"));
    w.begin(List.of("bob"));
    assertThat(w.size()).isEqualTo(1);
    w.accept(on("bob", 30));
    assertThat(w.complete(List.of("bob"), Map.of("bob", off("bob", 10))).tell()).as("still pending").isEmpty();
    assertThat(w.complete(List.of("bob"), Map.of("bob", on("bob", 30))).tell()).as("second reply saw it").isEmpty();
    assertThat(w.accept(off("bob", 40))).isTrue();
  }

  @Test
  void aFailedWatchDropsOnlyTheUsersItAdded() {
    w.begin(List.of("bob"));
    w.complete(List.of("bob"), Map.of("bob", off("bob", 10)));
    assertThat(w.fresh(List.of("bob", "carol"))).containsExactly("carol");
    w.begin(List.of("bob", "carol"));
    w.accept(on("bob", 20));
    SessionWatches.Outcome o = w.fail(List.of("bob", "carol"), List.of("carol"));
    assertThat(o.dropped()).containsExactly("carol");
    assertThat(o.tell()).as("bob's held change, against bob's earlier view").containsExactly(on("bob", 20));
    assertThat(w.watches("bob")).isTrue();
    assertThat(w.watches("carol")).isFalse();
  }

  @Test
  void unwatchAndCloseReturnWhatWasWatched() {
    w.begin(List.of("a", "b", "c"));
    assertThat(w.remove(List.of("a", "zz"))).containsExactly("a");
    assertThat(w.accept(on("a", 5))).isFalse();
    assertThat(w.complete(List.of("a", "b", "c"), Map.of()).tell()).isEmpty();
    assertThat(w.clear()).containsExactlyInAnyOrder("b", "c");
    assertThat(w.size()).isZero();
    assertThat(SessionWatches.distinct(List.of("x", "y", "x"))).containsExactly("x", "y");
  }

  @Test
  void watchIndexCountsUsersAndPairs() {
    WatchIndex<String> index = new WatchIndex<>();
    index.add("s1", List.of("bob", "carol"));
    index.add("s2", List.of("bob"));
    index.add("s2", List.of("bob"));
    assertThat(index.userCount()).isEqualTo(2);
    assertThat(index.pairCount()).isEqualTo(3);
    assertThat(index.sinks("bob")).containsExactlyInAnyOrder("s1", "s2");
    index.remove("s1", List.of("bob", "carol", "dave"));
    assertThat(index.users()).containsExactly("bob");
    assertThat(index.pairCount()).isEqualTo(1);
    assertThat(index.sinks("carol")).isEmpty();
  }
}
