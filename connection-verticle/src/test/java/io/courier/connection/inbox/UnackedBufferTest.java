package io.courier.connection.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.protocol.MsgFrame;
import org.junit.jupiter.api.Test;

class UnackedBufferTest {

  @Test
  void retransmitsAfterInitialThenDoublingUpToMax() {
    UnackedBuffer b = new UnackedBuffer(5000, 12000);
    b.track(new MsgFrame(1, "m1", 0, "m1"), 0);
    assertThat(b.due(4999)).isEmpty();
    assertThat(b.due(5000)).containsExactly("m1");   // next after 10 s
    assertThat(b.due(14999)).isEmpty();
    assertThat(b.due(15000)).containsExactly("m1");  // next after 12 s (capped)
    assertThat(b.due(26999)).isEmpty();
    assertThat(b.due(27000)).containsExactly("m1");
  }

  /** Frames written at different times, some acked and some resent: each is due exactly on its own schedule. */
  @Test
  void eachFrameIsDueOnItsOwnScheduleWhateverWasAckedOrResentBefore() {
    UnackedBuffer b = new UnackedBuffer(5000, 40000);
    b.track(new MsgFrame(1, "m1", 0, "m1"), 0);
    b.track(new MsgFrame(2, "m2", 0, "m2"), 3000);
    b.ack(1);
    assertThat(b.due(5000)).isEmpty();                        // m1's time, but m1 is acked
    assertThat(b.due(7999)).isEmpty();
    assertThat(b.due(8000)).containsExactly("m2");             // again at 18000
    b.track(new MsgFrame(3, "m3", 0, "m3"), 9000);             // due at 14000, before m2's next
    assertThat(b.due(13999)).isEmpty();
    assertThat(b.due(14000)).containsExactly("m3");            // again at 24000
    assertThat(b.due(17999)).isEmpty();
    assertThat(b.due(18000)).containsExactly("m2");            // again at 38000
    assertThat(b.due(24000)).containsExactly("m3");
    b.ack(3);
    assertThat(b.due(1_000_000)).isEmpty();
    b.track(new MsgFrame(4, "m4", 0, "m4"), 2_000_000);
    assertThat(b.due(2_004_999)).isEmpty();
    assertThat(b.due(2_005_000)).containsExactly("m4");
  }

  @Test
  void ackIsCumulative() {
    UnackedBuffer b = new UnackedBuffer(10, 100);
    b.track(new MsgFrame(1, "m1", 0, "m1"), 0);
    b.track(new MsgFrame(2, "m2", 0, "m2"), 0);
    b.track(new MsgFrame(3, "m3", 0, "m3"), 0);
    assertThat(b.ack(2)).isEqualTo(2);
    assertThat(b.size()).isEqualTo(1);
    assertThat(b.due(10)).containsExactly("m3");
    assertThat(b.ack(100)).isEqualTo(1);
    assertThat(b.size()).isZero();
  }

  @Test
  void frameAtGivesTheUnackedFrameOfASeq() {
    UnackedBuffer b = new UnackedBuffer(100, 1000);
    b.track(new MsgFrame(3, "m3", 0, "f3"), 0);
    b.track(new MsgFrame(4, "m4", 0, "f4"), 0);
    assertThat(b.frameAt(3).text()).isEqualTo("f3");
    assertThat(b.frameAt(5)).isNull();
    b.ack(3);
    assertThat(b.frameAt(3)).isNull();
    assertThat(b.frameAt(4).text()).isEqualTo("f4");
  }

  @Test
  void anAckHandsOverWhenTheStoreAcceptedEachMessage() {
    UnackedBuffer b = new UnackedBuffer(100, 1000);
    b.track(new MsgFrame(1, "m1", 111, "f1"), 0);
    b.track(new MsgFrame(2, "m2", 222, "f2"), 0);
    java.util.List<Long> acceptedAt = new java.util.ArrayList<>();
    assertThat(b.ack(2, acceptedAt::add)).isEqualTo(2);
    assertThat(acceptedAt).containsExactly(111L, 222L);
  }
}
