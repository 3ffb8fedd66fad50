package io.courier.delivery.store.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.internal.serialization.Data;
import com.hazelcast.internal.serialization.InternalSerializationService;
import com.hazelcast.internal.serialization.impl.DefaultSerializationServiceBuilder;
import io.courier.delivery.store.SenderIds;
import io.courier.delivery.store.StoreSettings;
import io.courier.protocol.InboxMessage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The inbox value on its own: seqs, dedupe, retention and what replicas rely on, without a cluster. */
class InboxTest {
  private static final StoreSettings DEFAULTS = new StoreSettings(60_000, 0, 0, 0);

  private static byte[] msg(String from, String id, long ts) {
    return new StoredMessage(id, from, "bob", null, "\"" + id + "\"", ts).encode();
  }

  private static AppendOutcome send(Inbox in, String from, String id, long ts, long attempt, StoreSettings s) {
    return in.append(SenderIds.encode(from, id), msg(from, id, ts), ts, attempt, ts, s);
  }

  private static List<Long> seqs(InboxPage page) {
    return page.messages().stream().map(InboxMessage::seq).toList();
  }

  @Test
  void seqsAreGaplessFromOneAndAResendAnswersTheOriginal() {
    Inbox in = Inbox.fresh("e1");
    assertThat(send(in, "alice", "a1", 1000, 1, DEFAULTS).seq()).isEqualTo(1);
    assertThat(send(in, "carol", "a1", 1001, 2, DEFAULTS).seq()).as("ids are per sender").isEqualTo(2);
    AppendOutcome again = send(in, "alice", "a1", 1500, 3, DEFAULTS);
    assertThat(again.seq()).isEqualTo(1);
    assertThat(again.ts()).as("the original accept time").isEqualTo(1000);
    assertThat(again.dup()).isTrue();
    assertThat(in.lastSeq()).isEqualTo(2);
  }

  @Test
  void theSameAttemptRunAgainIsNotADuplicate() {
    Inbox in = Inbox.fresh("e1");
    send(in, "alice", "a1", 1000, 7, DEFAULTS);
    AppendOutcome rerun = send(in, "alice", "a1", 1000, 7, DEFAULTS);
    assertThat(rerun.seq()).isEqualTo(1);
    assertThat(rerun.dup()).isFalse();
    assertThat(in.lastSeq()).isEqualTo(1);
  }

  @Test
  void aRecordCountsForTheWindowAndNotAfter() {
    StoreSettings s = new StoreSettings(100, 0, 0, 0);
    Inbox in = Inbox.fresh("e1");
    send(in, "alice", "a1", 1000, 1, s);
    assertThat(in.append(SenderIds.encode("alice", "a1"), msg("alice", "a1", 1099), 1099, 2, 1099, s).dup()).isTrue();
    AppendOutcome late = in.append(SenderIds.encode("alice", "a1"), msg("alice", "a1", 1100), 1100, 3, 1100, s);
    assertThat(late.dup()).isFalse();
    assertThat(late.seq()).isEqualTo(2);
  }

  @Test
  void timeNeverGoesBackwardsSoAPrunedRecordStaysPruned() {
    StoreSettings s = new StoreSettings(100, 0, 0, 0);
    Inbox in = Inbox.fresh("e1");
    send(in, "alice", "a1", 1000, 1, s);
    assertThat(in.prune(1200, s)).isTrue();
    // A caller whose clock is behind: the record was pruned at 1200 and must not come back.
    AppendOutcome r = in.append(SenderIds.encode("alice", "a1"), msg("alice", "a1", 1050), 1050, 2, 1050, s);
    assertThat(r.dup()).isFalse();
    assertThat(in.remembered()).isEqualTo(1);
  }

  @Test
  void theCountLimitDropsTheOldestAndADroppedSendIsStillADuplicate() {
    StoreSettings s = new StoreSettings(60_000, 3, 0, 0);
    Inbox in = Inbox.fresh("e1");
    for (int i = 1; i <= 5; i++) {
      send(in, "alice", "a" + i, 1000 + i, i, s);
    }
    InboxPage page = in.page(0, 10, Long.MIN_VALUE);
    assertThat(page.firstAvailable()).isEqualTo(3);
    assertThat(page.lastSeq()).isEqualTo(5);
    assertThat(seqs(page)).containsExactly(3L, 4L, 5L);
    assertThat(in.retained()).isEqualTo(3);
    AppendOutcome again = send(in, "alice", "a1", 2000, 99, s);
    assertThat(again.seq()).isEqualTo(1);
    assertThat(again.dup()).isTrue();
  }

  @Test
  void theAgeLimitHidesOldMessagesAndAPruneDropsThem() {
    StoreSettings s = new StoreSettings(0, 0, 1000, 0);
    Inbox in = Inbox.fresh("e1");
    send(in, "alice", "a1", 1000, 1, s);
    send(in, "alice", "a2", 1500, 2, s);
    send(in, "alice", "a3", 2000, 3, s);
    InboxPage page = in.page(0, 10, s.ageCutoff(2200));
    assertThat(page.firstAvailable()).isEqualTo(2);
    assertThat(seqs(page)).containsExactly(2L, 3L);
    assertThat(in.retained()).as("a read changes nothing").isEqualTo(3);
    assertThat(in.prune(2600, s)).isTrue();
    assertThat(in.retained()).isEqualTo(1);
    assertThat(in.prune(2600, s)).isFalse();
    page = in.page(0, 10, s.ageCutoff(5000));
    assertThat(page.firstAvailable()).as("all expired: lastSeq + 1").isEqualTo(4);
    assertThat(page.messages()).isEmpty();
    assertThat(send(in, "alice", "a4", 5000, 4, s).seq()).as("seqs go on after everything expired").isEqualTo(4);
  }

  @Test
  void pagesStartAfterTheGivenSeqAndStopAtTheLimit() {
    Inbox in = Inbox.fresh("e1");
    for (int i = 1; i <= 10; i++) {
      send(in, "alice", "a" + i, 1000 + i, i, DEFAULTS);
    }
    assertThat(seqs(in.page(3, 4, Long.MIN_VALUE))).containsExactly(4L, 5L, 6L, 7L);
    assertThat(seqs(in.page(10, 4, Long.MIN_VALUE))).isEmpty();
    assertThat(seqs(in.page(99, 4, Long.MIN_VALUE))).isEmpty();
    InboxPage headOnly = in.page(0, 0, Long.MIN_VALUE);
    assertThat(headOnly.lastSeq()).isEqualTo(10);
    assertThat(headOnly.messages()).isEmpty();
    assertThat(in.page(0, 1, Long.MIN_VALUE).messages().get(0).id()).isEqualTo("a1");
  }

  /** A replica gets the inbox serialized (migration, backup sync) and must go on exactly as the original. */
  @Test
  void aSerializedCopyGoesOnExactlyAsTheOriginal() {
    InternalSerializationService ss = new DefaultSerializationServiceBuilder().build();
    StoreSettings s = new StoreSettings(500, 4, 0, 0);
    Inbox in = Inbox.fresh("e1");
    for (int i = 1; i <= 6; i++) {
      send(in, "alice", "a" + i, 1000 + i * 100, i, s);
    }
    Data data = ss.toData(in);
    Inbox copy = ss.toObject(data);
    for (Inbox replica : List.of(in, copy)) {
      assertThat(replica.epoch()).isEqualTo("e1");
      assertThat(seqs(replica.page(0, 10, Long.MIN_VALUE))).containsExactly(3L, 4L, 5L, 6L);
      // a4 (stored at 1400) is remembered until 1900; a1 (1100) expired at 1600.
      assertThat(replica.append(SenderIds.encode("alice", "a4"), msg("alice", "a4", 1700), 1700, 50, 1700, s).seq())
          .isEqualTo(4);
      assertThat(replica.append(SenderIds.encode("alice", "a1"), msg("alice", "a1", 1700), 1700, 51, 1700, s).seq())
          .isEqualTo(7);
    }
    assertThat(ss.toData(copy).toByteArray()).isEqualTo(ss.toData(in).toByteArray());
  }

  /**
   * A backup replica that missed one backup operation (partitions moving) still holds every later
   * message at the seq its primary answered, and once promoted never gives a seq out twice.
   */
  @Test
  void aBackupThatMissedAnAppendKeepsEveryOtherAtItsAnsweredSeq() {
    StoreSettings s = new StoreSettings(60_000, 0, 0, 0);
    Inbox primary = Inbox.fresh("e1");
    Inbox backup = null;
    for (int i = 1; i <= 5; i++) {
      String key = SenderIds.encode("alice", "a" + i);
      AppendOutcome out = primary.append(key, msg("alice", "a" + i, 1000 + i), 1000 + i, i, 1000 + i, s);
      if (i == 3) {
        continue; // this backup operation never reached the replica
      }
      backup = Inbox.applyBackup(backup, primary.epoch(), primary.clock(), primary.firstSeq(), out.seq(),
          msg("alice", "a" + i, 1000 + i), key, primary.record(key), s);
    }
    InboxPage page = backup.page(0, 10, Long.MIN_VALUE);
    assertThat(page.messages()).extracting(InboxMessage::seq, InboxMessage::id)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(1L, "a1"), org.assertj.core.groups.Tuple.tuple(2L, "a2"),
            org.assertj.core.groups.Tuple.tuple(4L, "a4"), org.assertj.core.groups.Tuple.tuple(5L, "a5"));
    assertThat(backup.lastSeq()).isEqualTo(5);
    // Promoted: a resend of a4 is a duplicate at 4, a new send gets 6.
    AppendOutcome resend = backup.append(SenderIds.encode("alice", "a4"), msg("alice", "a4", 2000), 2000, 99, 2000, s);
    assertThat(resend.seq()).isEqualTo(4);
    assertThat(resend.dup()).isTrue();
    assertThat(backup.append(SenderIds.encode("alice", "a6"), msg("alice", "a6", 2001), 2001, 100, 2001, s).seq())
        .isEqualTo(6);
    // A backup of another epoch is a generation the primary no longer has: replaced.
    Inbox replaced = Inbox.applyBackup(backup, "e2", 3000, 1, 1, msg("carol", "c1", 3000), "k", null, s);
    assertThat(replaced.epoch()).isEqualTo("e2");
    assertThat(replaced.lastSeq()).isEqualTo(1);
  }

  @Test
  void aBackupFarBehindJumpsToTheRetainedWindowInsteadOfFillingTheGap() {
    StoreSettings s = new StoreSettings(0, 3, 0, 0);
    Inbox primary = Inbox.fresh("e1");
    for (int i = 1; i <= 1000; i++) {
      primary.append(SenderIds.encode("alice", "a" + i), msg("alice", "a" + i, i), i, i, i, s);
    }
    Inbox backup = Inbox.applyBackup(null, "e1", primary.clock(), primary.firstSeq(), 1000, msg("alice", "a1000", 1000),
        "k", null, s);
    assertThat(backup.retained()).isEqualTo(1);
    assertThat(backup.page(0, 10, Long.MIN_VALUE).firstAvailable()).isEqualTo(1000);
  }

  @Test
  void theWindowGrowsWrapsAndDrains() {
    MessageWindow w = new MessageWindow(1);
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < 37; i++) {
        w.add(msg("alice", "w" + i, i));
        if (i % 3 == 0) {
          w.removeFirst();
        }
      }
      while (w.size() > 0) {
        long first = w.firstSeq();
        assertThat(w.get(first)).isSameAs(w.first());
        w.removeFirst();
        assertThat(w.firstSeq()).isEqualTo(first + 1);
      }
      assertThat(w.lastSeq()).isEqualTo(w.firstSeq() - 1);
      assertThat(w.bodyBytes()).isZero();
      assertThat(w.heapBytes()).isZero();
    }
    assertThat(w.lastSeq()).isEqualTo(111);
    assertThat(w.get(111)).isNull();
  }
}
