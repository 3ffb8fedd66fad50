package io.courier.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.client.InboxTracker.Outcome;
import io.courier.protocol.InboxMessage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class InboxTrackerTest {

  private static InboxMessage msg(String epoch, long seq) {
    return new InboxMessage(seq, epoch, "id-" + seq, "alice", "bob", null, "{\"n\":" + seq + "}", 1000 + seq);
  }

  private static List<Long> seqs(List<InboxMessage> ms) {
    return ms.stream().map(InboxMessage::seq).toList();
  }

  @Test
  void deliversInOrderAndMovesLastSeq() {
    InboxTracker t = new InboxTracker(null, 0, 100);
    assertThat(t.adoptEpoch("e1")).isNull();
    for (long s = 1; s <= 3; s++) {
      InboxTracker.Offer o = t.offer(msg("e1", s));
      assertThat(o.outcome()).isEqualTo(Outcome.DELIVERED);
      assertThat(seqs(o.deliverable())).containsExactly(s);
    }
    assertThat(t.lastSeq()).isEqualTo(3);
    assertThat(t.hasGap()).isFalse();
  }

  @Test
  void dropsWhatWasDeliveredAlready() {
    InboxTracker t = new InboxTracker("e1", 5, 100);
    assertThat(t.offer(msg("e1", 5)).outcome()).isEqualTo(Outcome.DUPLICATE);
    assertThat(t.offer(msg("e1", 1)).outcome()).isEqualTo(Outcome.DUPLICATE);
    assertThat(t.offer(msg("e1", 6)).outcome()).isEqualTo(Outcome.DELIVERED);
    assertThat(t.offer(msg("e1", 6)).outcome()).isEqualTo(Outcome.DUPLICATE);
    assertThat(t.lastSeq()).isEqualTo(6);
  }

  @Test
  void buffersAheadOfAGapAndReleasesInOrderWhenItFills() {
    InboxTracker t = new InboxTracker("e1", 0, 100);
    assertThat(t.offer(msg("e1", 3)).outcome()).isEqualTo(Outcome.BUFFERED);
    assertThat(t.offer(msg("e1", 5)).outcome()).isEqualTo(Outcome.BUFFERED);
    assertThat(t.offer(msg("e1", 3)).outcome()).isEqualTo(Outcome.DUPLICATE);
    assertThat(t.hasGap()).isTrue();
    assertThat(t.buffered()).isEqualTo(2);
    assertThat(t.highestSeen()).isEqualTo(5);
    assertThat(t.lastSeq()).isZero();

    InboxTracker.Offer one = t.offer(msg("e1", 1));
    assertThat(seqs(one.deliverable())).containsExactly(1L);
    InboxTracker.Offer two = t.offer(msg("e1", 2));
    assertThat(seqs(two.deliverable())).containsExactly(2L, 3L);
    assertThat(t.lastSeq()).isEqualTo(3);
    assertThat(seqs(t.offer(msg("e1", 4)).deliverable())).containsExactly(4L, 5L);
    assertThat(t.hasGap()).isFalse();
    assertThat(t.highestSeen()).isEqualTo(5);
  }

  @Test
  void dropsWhatIsBeyondTheBufferWindow() {
    InboxTracker t = new InboxTracker("e1", 10, 3);
    assertThat(t.offer(msg("e1", 13)).outcome()).isEqualTo(Outcome.BUFFERED);
    assertThat(t.offer(msg("e1", 14)).outcome()).isEqualTo(Outcome.TOO_FAR_AHEAD);
    assertThat(t.buffered()).isEqualTo(1);
  }

  @Test
  void ignoresOtherEpochsAndEverythingBeforeAnEpochIsKnown() {
    InboxTracker none = new InboxTracker(null, 0, 10);
    assertThat(none.offer(msg("e1", 1)).outcome()).isEqualTo(Outcome.OTHER_EPOCH);
    InboxTracker t = new InboxTracker("e1", 0, 10);
    assertThat(t.offer(msg("e0", 1)).outcome()).isEqualTo(Outcome.OTHER_EPOCH);
    assertThat(t.lastSeq()).isZero();
  }

  @Test
  void sameEpochOnWelcomeKeepsPositionAndBuffer() {
    InboxTracker t = new InboxTracker("e1", 7, 10);
    t.offer(msg("e1", 9));
    assertThat(t.adoptEpoch("e1")).isNull();
    assertThat(t.lastSeq()).isEqualTo(7);
    assertThat(seqs(t.offer(msg("e1", 8)).deliverable())).containsExactly(8L, 9L);
  }

  @Test
  void newEpochResetsToZeroAndReportsWhatWasLeft() {
    InboxTracker t = new InboxTracker("e1", 7, 10);
    t.offer(msg("e1", 9));
    InboxTracker.EpochChange c = t.adoptEpoch("e2");
    assertThat(c).isEqualTo(new InboxTracker.EpochChange("e1", 7, "e2"));
    assertThat(t.epoch()).isEqualTo("e2");
    assertThat(t.lastSeq()).isZero();
    assertThat(t.hasGap()).isFalse();
    assertThat(t.offer(msg("e1", 8)).outcome()).isEqualTo(Outcome.OTHER_EPOCH);
    assertThat(seqs(t.offer(msg("e2", 1)).deliverable())).containsExactly(1L);
  }

  @Test
  void firstEpochIsNotAChange() {
    InboxTracker t = new InboxTracker(null, 0, 10);
    assertThat(t.adoptEpoch("e1")).isNull();
    assertThat(t.epoch()).isEqualTo("e1");
  }

  @Test
  void skipToMovesPastLostSeqsAndReleasesWhatFollows() {
    InboxTracker t = new InboxTracker("e1", 2, 100);
    t.offer(msg("e1", 6));
    t.offer(msg("e1", 7));
    t.offer(msg("e1", 4)); // below the skip point: discarded with the skip
    assertThat(seqs(t.skipTo(5))).containsExactly(6L, 7L);
    assertThat(t.lastSeq()).isEqualTo(7);
    assertThat(t.hasGap()).isFalse();
    assertThat(t.skipTo(3)).isEmpty();
    assertThat(t.lastSeq()).isEqualTo(7);
  }

  @Test
  void anyArrivalOrderWithRepeatsDeliversEachSeqOnceInOrder() {
    Random rnd = new Random(7);
    for (int round = 0; round < 50; round++) {
      int n = 200;
      List<InboxMessage> stream = new ArrayList<>();
      for (long s = 1; s <= n; s++) {
        stream.add(msg("e1", s));
        if (rnd.nextInt(4) == 0) {
          stream.add(msg("e1", s)); // retransmit
        }
      }
      Collections.shuffle(stream, rnd);
      InboxTracker t = new InboxTracker(null, 0, n);
      t.adoptEpoch("e1");
      List<Long> delivered = new ArrayList<>();
      for (InboxMessage m : stream) {
        delivered.addAll(seqs(t.offer(m).deliverable()));
      }
      assertThat(delivered).hasSize(n).isSorted().doesNotHaveDuplicates();
      assertThat(t.lastSeq()).isEqualTo(n);
      assertThat(t.hasGap()).isFalse();
    }
  }

  @Test
  void rejectsInconsistentStart() {
    assertThatThrownBy(() -> new InboxTracker(null, 3, 10)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new InboxTracker("e", -1, 10)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new InboxTracker("e", 0, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
