package io.courier.connection;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class InboxSequencerTest {

  private static List<Long> seqs(List<InboxSequencer.Out> outs) {
    return outs.stream().map(InboxSequencer.Out::seq).toList();
  }

  @Test
  void pushesBeforeStartAreHeldAndThoseCoveredByWelcomeDropped() {
    InboxSequencer s = new InboxSequencer(100);
    assertThat(s.offer(5, "f5")).isEmpty();
    assertThat(s.offer(6, "f6")).isEmpty();
    assertThat(seqs(s.start(5))).containsExactly(6L);
    assertThat(s.hasGap()).isFalse();
  }

  @Test
  void outOfOrderPushesAreReleasedInOrder() {
    InboxSequencer s = new InboxSequencer(100);
    s.start(0);
    assertThat(s.offer(2, "f2")).isEmpty();
    assertThat(s.hasGap()).isTrue();
    assertThat(s.firstHeld()).isEqualTo(2);
    assertThat(seqs(s.offer(1, "f1"))).containsExactly(1L, 2L);
    assertThat(s.hasGap()).isFalse();
    assertThat(s.offer(2, "again")).isEmpty();
  }

  @Test
  void gapFilledFromStoreSkipsWhatRetentionDropped() {
    InboxSequencer s = new InboxSequencer(100);
    s.start(10);
    s.offer(15, "f15");
    // The store no longer has 11..12; it returns 13 and 14.
    List<InboxSequencer.Out> out = s.fill(List.of(new InboxSequencer.Out(13, "f13"), new InboxSequencer.Out(14, "f14")), 13);
    assertThat(seqs(out)).containsExactly(13L, 14L, 15L);
    assertThat(s.released()).isEqualTo(15);
  }

  @Test
  void overflowIsReported() {
    InboxSequencer s = new InboxSequencer(3);
    s.start(0);
    s.offer(2, "a");
    s.offer(3, "b");
    assertThat(s.overflowing()).isFalse();
    s.offer(4, "c");
    assertThat(s.overflowing()).isTrue();
  }

  @Test
  void whileHeldNothingIsReleasedAndResumeReleasesInOrder() {
    InboxSequencer s = new InboxSequencer(100);
    s.start(5);
    s.hold();
    assertThat(s.offer(6, "f6")).isEmpty();
    assertThat(s.offer(7, "f7")).isEmpty();
    assertThat(s.hasGap()).as("nothing to read from the store while held").isFalse();
    assertThat(s.fill(List.of(new InboxSequencer.Out(6, "s6")), 1)).isEmpty();
    assertThat(s.released()).isEqualTo(5);
    assertThat(seqs(s.resume())).containsExactly(6L, 7L);
    assertThat(s.released()).isEqualTo(7);
  }

  @Test
  void whileHeldOnlyTheNewestPushesAreKeptAndTheRestIsAGap() {
    InboxSequencer s = new InboxSequencer(2);
    s.start(0);
    s.hold();
    s.offer(1, "f1");
    s.offer(2, "f2");
    s.offer(3, "f3");
    assertThat(s.resume()).isEmpty();
    assertThat(s.hasGap()).isTrue();
    assertThat(s.firstHeld()).isEqualTo(2);
    assertThat(seqs(s.fill(List.of(new InboxSequencer.Out(1, "s1")), 1))).containsExactly(1L, 2L, 3L);
  }
}
