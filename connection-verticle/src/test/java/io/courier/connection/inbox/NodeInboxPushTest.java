package io.courier.connection.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.protocol.InboxMessage;
import io.courier.protocol.MsgFrame;
import org.junit.jupiter.api.Test;

class NodeInboxPushTest {

  @Test
  void aPushWithoutIdAndTsBesideTheFrameGetsThemFromTheFrameOnce() {
    InboxMessage m = new InboxMessage(4, "ep", "id\"4", "alice", "bob", null, "{\"ts\":1}", 400);
    assertThat(NodeInboxVerticle.fromText(4, m.toFrameText())).isEqualTo(MsgFrame.of(m));
  }

  @Test
  void anUnreadableFrameKeepsItsTextWithNoIdOrTs() {
    assertThat(NodeInboxVerticle.fromText(4, "not json")).isEqualTo(new MsgFrame(4, null, 0, "not json"));
  }
}
