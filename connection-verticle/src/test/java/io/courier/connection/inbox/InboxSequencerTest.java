package io.courier.connection.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.protocol.MsgFrame;
import java.util.List;
import org.junit.jupiter.api.Test;

class InboxSequencerTest {

  private static List<Long> seqs(List<MsgFrame> outs) {
    return outs.stream().map(MsgFrame::seq).toList();
  }

  private static MsgFrame f(long seq, String text) {
    return new MsgFrame(seq, "m" + seq, seq, text);
  }

  @Test
  void pushesBeforeStartAreHeldAndThoseCoveredByWelcomeDropped() {
    InboxSequencer s = new InboxSequencer(100);
    assertThat(s.offer(f(5, "f5"))).isEmpty();
    assertThat(s.offer(f(6, "f6"))).isEmpty();
    assertThat(seqs(s.start(5))).containsExactly(6L);
    assertThat(s.hasGap()).isFalse();
  }

  @Test
  void outOfOrderPushesAreReleasedInOrder() {
    InboxSequencer s = new InboxSequencer(100);
    s.start(0);
    assertThat(s.offer(f(2, "f2"))).isEmpty();
    assertThat(s.hasGap()).isTrue();
    assertThat(s.firstHeld()).isEqualTo(2);
    assertThat(seqs(s.offer(f(1, "f1")))).containsExactly(1L, 2L);
    assertThat(s.hasGap()).isFalse();
    assertThat(s.offer(f(2, "again"))).isEmpty();
  }

  @Test
  void gapFilledFromStoreSkipsWhatRetentionDropped() {
    InboxSequencer s = new InboxSequencer(100);
    s.start(10);
    s.offer(f(15, "f15"));
    // The store no longer has 11..12; it returns 13 and 14.
    List<MsgFrame> out = s.fill(List.of(f(13, "f13"), f(14, "f14")), 13);
    assertThat(seqs(out)).containsExactly(13L, 14L, 15L);
    assertThat(s.released()).isEqualTo(15);
  }

  @Test
  void overflowIsReported() {
    InboxSequencer s = new InboxSequencer(3);
    s.start(0);
    s.offer(f(2, "a"));
    s.offer(f(3, "b"));
    assertThat(s.overflowing()).isFalse();
    s.offer(f(4, "c"));
    assertThat(s.overflowing()).isTrue();
  }

  @Test
  void whileHeldNothingIsReleasedAndResumeReleasesInOrder() {
    InboxSequencer s = new InboxSequencer(100);
    s.start(5);
    s.hold();
    assertThat(s.offer(f(6, "f6"))).isEmpty();
    assertThat(s.offer(f(7, "f7"))).isEmpty();
    assertThat(s.hasGap()).as("nothing to read from the store while held").isFalse();
    assertThat(s.fill(List.of(f(6, "s6")), 1)).isEmpty();
    assertThat(s.released()).isEqualTo(5);
    assertThat(seqs(s.resume())).containsExactly(6L, 7L);
    assertThat(s.released()).isEqualTo(7);
  }

  @Test
  void whileHeldOnlyTheNewestPushesAreKeptAndTheRestIsAGap() {
    InboxSequencer s = new InboxSequencer(2);
    s.start(0);
    s.hold();
    s.offer(f(1, "f1"));
    s.offer(f(2, "f2"));
    s.offer(f(3, "f3"));
    assertThat(s.resume()).isEmpty();
    assertThat(s.hasGap()).isTrue();
    assertThat(s.firstHeld()).isEqualTo(2);
    assertThat(seqs(s.fill(List.of(f(1, "s1")), 1))).containsExactly(1L, 2L, 3L);
  }
}
