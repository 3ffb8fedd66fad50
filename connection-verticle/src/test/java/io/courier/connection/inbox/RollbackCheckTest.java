package io.courier.connection.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.protocol.InboxMessage;
import io.courier.protocol.MsgFrame;
import java.util.List;
import org.junit.jupiter.api.Test;

class RollbackCheckTest {

  private static InboxMessage msg(long seq, String id, long ts) {
    return new InboxMessage(seq, "e1", id, "alice", "bob", null, "{}", ts);
  }

  @Test
  void aClientAheadOfTheStoreIsARollbackWithOrWithoutProof() {
    assertThat(RollbackCheck.syncRolledBack(5, null, null, 3, 1, null)).isTrue();
    assertThat(RollbackCheck.syncRolledBack(5, "m5", 500L, 3, 1, null)).isTrue();
    assertThat(RollbackCheck.syncRolledBack(5, null, null, 0, 1, null)).isTrue();
  }

  @Test
  void aClientAtOrBehindTheStoreWithoutProofIsNot() {
    assertThat(RollbackCheck.syncRolledBack(5, null, null, 5, 1, null)).isFalse();
    assertThat(RollbackCheck.syncRolledBack(3, null, null, 5, 1, null)).isFalse();
    assertThat(RollbackCheck.syncRolledBack(0, null, null, 5, 1, null)).isFalse();
  }

  @Test
  void theProofMatchesByIdAndByTsWhenGiven() {
    InboxMessage at5 = msg(5, "m5", 500);
    assertThat(RollbackCheck.syncRolledBack(5, "m5", 500L, 7, 1, at5)).isFalse();
    assertThat(RollbackCheck.syncRolledBack(5, "m5", null, 7, 1, at5)).isFalse();
    assertThat(RollbackCheck.syncRolledBack(5, "other", 500L, 7, 1, at5)).isTrue();
    // Same id from another sender after the rollback: the ts tells them apart.
    assertThat(RollbackCheck.syncRolledBack(5, "m5", 499L, 7, 1, at5)).isTrue();
  }

  @Test
  void aMessageRetentionDroppedCannotBeCheckedAndOneMissingInsideTheRangeIsNotTheClients() {
    assertThat(RollbackCheck.syncRolledBack(5, "m5", 500L, 9, 6, null)).isFalse();
    assertThat(RollbackCheck.syncRolledBack(5, "m5", 500L, 9, 1, null)).isTrue();
    assertThat(RollbackCheck.syncRolledBack(5, "m5", 500L, 9, 1, msg(6, "m6", 600))).isTrue();
  }

  @Test
  void messageAtFindsTheSeqInAPage() {
    List<InboxMessage> page = List.of(msg(4, "a", 1), msg(5, "b", 2), msg(6, "c", 3));
    assertThat(RollbackCheck.messageAt(page, 5).id()).isEqualTo("b");
    assertThat(RollbackCheck.messageAt(page, 3)).isNull();
    assertThat(RollbackCheck.messageAt(page, 7)).isNull();
    assertThat(RollbackCheck.messageAt(List.of(), 1)).isNull();
  }

  @Test
  void liveStoreBelowTheReleasedSeqOrWithAnotherMessageThereIsARollback() {
    assertThat(RollbackCheck.liveRolledBack(5, null, 0, 4, null)).isTrue();
    assertThat(RollbackCheck.liveRolledBack(5, "m5", 500, 4, null)).isTrue();
    assertThat(RollbackCheck.liveRolledBack(5, "m5", 500, 6, msg(5, "x", 700))).isTrue();
    assertThat(RollbackCheck.liveRolledBack(5, "m5", 500, 6, msg(5, "m5", 700))).isTrue();
  }

  @Test
  void liveStoreHoldingTheReleasedMessageOrUnknownIdIsNot() {
    assertThat(RollbackCheck.liveRolledBack(5, "m5", 500, 5, msg(5, "m5", 500))).isFalse();
    assertThat(RollbackCheck.liveRolledBack(5, "m5", 500, 9, msg(5, "m5", 500))).isFalse();
    // The released message went out through sync or before the connection: only lastSeq is known.
    assertThat(RollbackCheck.liveRolledBack(5, null, 0, 5, msg(5, "x", 1))).isFalse();
    // Retention dropped it: nothing to compare.
    assertThat(RollbackCheck.liveRolledBack(5, "m5", 500, 9, null)).isFalse();
    assertThat(RollbackCheck.liveRolledBack(0, null, 0, 0, null)).isFalse();
  }

  @Test
  void pushesMatchTheReleasedMessageByIdAndTs() {
    MsgFrame f5 = MsgFrame.of(msg(5, "m5", 500));
    assertThat(RollbackCheck.samePush(f5, f5)).isTrue();
    assertThat(RollbackCheck.samePush(f5, "m5", 500)).isTrue();
    assertThat(RollbackCheck.samePush(f5, "m5", 501)).isFalse();
    assertThat(RollbackCheck.samePush(f5, "m6", 500)).isFalse();
    assertThat(RollbackCheck.samePush(f5, null, 500)).isFalse();
    assertThat(RollbackCheck.samePush(f5, (MsgFrame) null)).isFalse();
    assertThat(RollbackCheck.samePush(MsgFrame.of(msg(5, "other", 500)), f5)).isFalse();
    assertThat(RollbackCheck.samePush(MsgFrame.of(msg(5, "m5", 900)), f5)).isFalse();
  }
}
