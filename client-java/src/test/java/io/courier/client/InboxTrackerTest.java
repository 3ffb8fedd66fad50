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

  // ---- rollback: the store went back to an older state in the same epoch ----

  /** A message at {@code seq} of the history after a rollback: same seq, another id. */
  private static InboxMessage rolled(String epoch, long seq) {
    return new InboxMessage(seq, epoch, "new-" + seq, "carol", "bob", null, "{\"new\":" + seq + "}", 5000 + seq);
  }

  private static List<String> ids(List<InboxMessage> ms) {
    return ms.stream().map(InboxMessage::id).toList();
  }

  private static InboxTracker deliveredUpTo(long n) {
    InboxTracker t = new InboxTracker(null, 0, null, 0, 100, 100);
    t.adoptEpoch("e1");
    for (long s = 1; s <= n; s++) {
      t.offer(msg("e1", s));
    }
    return t;
  }

  @Test
  void keepsTheIdAndTsOfTheMessageAtLastSeq() {
    InboxTracker t = deliveredUpTo(3);
    assertThat(t.lastId()).isEqualTo("id-3");
    assertThat(t.lastTs()).isEqualTo(1003);
    t.offer(msg("e1", 5));
    assertThat(t.lastId()).isEqualTo("id-3");
    t.offer(msg("e1", 4));
    assertThat(t.lastId()).isEqualTo("id-5");
    assertThat(t.lastTs()).isEqualTo(1005);
    t.skipTo(9); // retention: the message at 9 is gone, nothing to prove with
    assertThat(t.lastId()).isNull();
    assertThat(t.lastTs()).isZero();
    assertThat(new InboxTracker("e1", 4, "x", 77, 10, 10).lastId()).isEqualTo("x");
    t.adoptEpoch("e2");
    assertThat(t.lastId()).isNull();
  }

  @Test
  void aSyncResetDeliversTheNewMessagesAtSeenSeqsOnceAndRestartsAtUpTo() {
    // delivered 1..5; the store went back to 3 and took two new messages at 4 and 5
    InboxTracker t = deliveredUpTo(5);
    t.beginSync();
    for (long s = 1; s <= 3; s++) {
      assertThat(t.offer(msg("e1", s)).outcome()).isEqualTo(Outcome.DUPLICATE);
    }
    assertThat(t.offer(rolled("e1", 4)).outcome()).isEqualTo(Outcome.HELD);
    assertThat(t.offer(rolled("e1", 5)).outcome()).isEqualTo(Outcome.HELD);
    assertThat(t.offer(rolled("e1", 5)).outcome()).isEqualTo(Outcome.HELD);
    InboxTracker.SyncEnd end = t.endSync(true, 5);
    assertThat(end.resetEnded()).isTrue();
    assertThat(ids(end.deliverable())).containsExactly("new-4", "new-5");
    assertThat(t.lastSeq()).isEqualTo(5);
    assertThat(t.lastId()).isEqualTo("new-5");
    assertThat(t.lastTs()).isEqualTo(5005);
    // seq tracking again: a retransmit of 5 is a duplicate, 6 is next
    assertThat(t.offer(rolled("e1", 5)).outcome()).isEqualTo(Outcome.DUPLICATE);
    assertThat(seqs(t.offer(rolled("e1", 6)).deliverable())).containsExactly(6L);
  }

  @Test
  void aResetToFewerMessagesThanTheClientHadRestartsBelowItsOldSeq() {
    InboxTracker t = deliveredUpTo(5);
    t.beginSync();
    t.offer(msg("e1", 1));
    t.offer(msg("e1", 2));
    assertThat(t.offer(rolled("e1", 3)).outcome()).isEqualTo(Outcome.HELD);
    InboxTracker.SyncEnd end = t.endSync(true, 3);
    assertThat(ids(end.deliverable())).containsExactly("new-3");
    assertThat(t.lastSeq()).isEqualTo(3);
    assertThat(seqs(t.offer(rolled("e1", 4)).deliverable())).containsExactly(4L);
  }

  @Test
  void withoutAResetHeldMessagesAreDroppedAsBefore() {
    InboxTracker t = deliveredUpTo(5);
    t.beginSync();
    assertThat(t.offer(rolled("e1", 4)).outcome()).isEqualTo(Outcome.HELD);
    InboxTracker.SyncEnd end = t.endSync(false, 5);
    assertThat(end.resetEnded()).isFalse();
    assertThat(end.deliverable()).isEmpty();
    assertThat(t.lastSeq()).isEqualTo(5);
    assertThat(t.buffered()).isZero();
    // outside a sync a seq that was delivered is a duplicate whatever its id
    assertThat(t.offer(rolled("e1", 4)).outcome()).isEqualTo(Outcome.DUPLICATE);
  }

  @Test
  void aRollbackFoundAtWelcomeDeliversByKeyUntilTheSyncEnds() {
    InboxTracker t = deliveredUpTo(5);
    t.startReset();
    t.beginSync();
    assertThat(t.resetting()).isTrue();
    assertThat(t.offer(msg("e1", 1)).outcome()).isEqualTo(Outcome.DUPLICATE);
    assertThat(t.offer(msg("e1", 2)).outcome()).isEqualTo(Outcome.DUPLICATE);
    assertThat(ids(t.offer(rolled("e1", 3)).deliverable())).containsExactly("new-3");
    assertThat(t.offer(rolled("e1", 3)).outcome()).isEqualTo(Outcome.DUPLICATE);
    // a live push beyond the replay, during it
    assertThat(ids(t.offer(rolled("e1", 5)).deliverable())).containsExactly("new-5");
    InboxTracker.SyncEnd end = t.endSync(false, 3);
    assertThat(end.resetEnded()).isTrue();
    assertThat(end.deliverable()).isEmpty();
    assertThat(t.resetting()).isFalse();
    assertThat(t.lastSeq()).isEqualTo(3);
    assertThat(t.lastId()).isEqualTo("new-3");
    assertThat(t.hasGap()).as("5 is delivered, 4 is missing").isTrue();
    assertThat(seqs(t.offer(rolled("e1", 4)).deliverable())).containsExactly(4L);
    assertThat(t.lastSeq()).as("5 counts as delivered").isEqualTo(5);
    assertThat(t.lastId()).isEqualTo("new-5");
    assertThat(t.offer(rolled("e1", 5)).outcome()).isEqualTo(Outcome.DUPLICATE);
    assertThat(t.hasGap()).isFalse();
  }

  @Test
  void messagesBufferedBehindAGapAreNotLostByAReset() {
    InboxTracker t = deliveredUpTo(5);
    assertThat(t.offer(msg("e1", 7)).outcome()).isEqualTo(Outcome.BUFFERED);
    t.beginSync();
    assertThat(t.offer(rolled("e1", 4)).outcome()).isEqualTo(Outcome.HELD);
    InboxTracker.SyncEnd end = t.endSync(true, 4);
    assertThat(ids(end.deliverable())).containsExactly("new-4", "id-7");
    assertThat(t.lastSeq()).isEqualTo(4);
  }

  @Test
  void theKeySetIsBoundedAndForgetsTheOldestFirst() {
    InboxTracker t = new InboxTracker(null, 0, null, 0, 100, 3);
    t.adoptEpoch("e1");
    for (long s = 1; s <= 5; s++) {
      t.offer(msg("e1", s));
    }
    assertThat(t.wasDelivered(msg("e1", 5))).isTrue();
    assertThat(t.wasDelivered(msg("e1", 3))).isTrue();
    assertThat(t.wasDelivered(msg("e1", 2))).isFalse();
    // a key is from + id: another sender's message with the same id is another message
    assertThat(t.wasDelivered(new InboxMessage(9, "e1", "id-5", "mallory", "bob", null, "1", 1))).isFalse();
  }

  @Test
  void heldMessagesBeyondTheBufferAreReportedAsOverflow() {
    InboxTracker t = new InboxTracker(null, 0, null, 0, 2, 100);
    t.adoptEpoch("e1");
    for (long s = 1; s <= 5; s++) {
      t.offer(msg("e1", s));
    }
    t.beginSync();
    for (long s = 1; s <= 3; s++) {
      t.offer(rolled("e1", s));
    }
    InboxTracker.SyncEnd end = t.endSync(true, 3);
    assertThat(end.heldOverflow()).isTrue();
    assertThat(ids(end.deliverable())).containsExactly("new-1", "new-2");
  }

  @Test
  void anyInterleavingOfAResetReplayAndLivePushesDeliversEveryNewKeyExactlyOnce() {
    Random rnd = new Random(11);
    for (int round = 0; round < 50; round++) {
      int before = 1 + rnd.nextInt(20);     // the client had 1..before
      int kept = rnd.nextInt(before);       // the store went back to 1..kept
      int added = 1 + rnd.nextInt(20);      // then took new messages kept+1..kept+added
      int upTo = kept + rnd.nextInt(added + 1);
      InboxTracker t = deliveredUpTo(before);
      boolean atWelcome = rnd.nextBoolean();
      if (atWelcome) {
        t.startReset();
      }
      t.beginSync();
      List<InboxMessage> stream = new ArrayList<>();
      for (long s = 1; s <= kept; s++) {
        stream.add(msg("e1", s));
      }
      for (long s = kept + 1; s <= kept + added; s++) {
        stream.add(rolled("e1", s));
      }
      List<InboxMessage> replay = new ArrayList<>(stream.subList(0, upTo));
      List<InboxMessage> live = new ArrayList<>(stream.subList(upTo, stream.size()));
      List<String> delivered = new ArrayList<>();
      while (!replay.isEmpty() || !live.isEmpty()) {
        List<InboxMessage> from = live.isEmpty() || (!replay.isEmpty() && rnd.nextBoolean()) ? replay : live;
        InboxMessage m = from.remove(0);
        delivered.addAll(ids(t.offer(m).deliverable()));
        if (rnd.nextInt(5) == 0) {
          delivered.addAll(ids(t.offer(m).deliverable())); // a repeat
        }
      }
      delivered.addAll(ids(t.endSync(!atWelcome, upTo).deliverable()));
      // after the reset: retransmits of everything, then the live pushes that fill gaps
      for (InboxMessage m : stream) {
        delivered.addAll(ids(t.offer(m).deliverable()));
      }
      List<String> expected = stream.subList(kept, stream.size()).stream().map(InboxMessage::id).toList();
      assertThat(delivered).as("round %d: before=%d kept=%d added=%d upTo=%d welcome=%s",
          round, before, kept, added, upTo, atWelcome).containsExactlyInAnyOrderElementsOf(expected);
      assertThat(t.lastSeq()).isEqualTo(kept + added);
      assertThat(t.hasGap()).isFalse();
    }
  }

  @Test
  void rejectsInconsistentStart() {
    assertThatThrownBy(() -> new InboxTracker(null, 3, 10)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new InboxTracker("e", -1, 10)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new InboxTracker("e", 0, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new InboxTracker("e", 0, null, 0, 10, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
