package io.courier.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.protocol.Bus;
import io.courier.protocol.InboxMessage;
import io.courier.protocol.MsgFrame;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class FanoutTest {

  @Test
  void aDirectPushCarriesTheFrameWithItsIdAndTsBesideIt() {
    InboxMessage m = new InboxMessage(3, "ep", "id-3", "alice", "bob", null, "{\"a\":1}", 300);
    JsonObject push = Fanout.push("bob", m);
    assertThat(push.getInteger(Bus.V)).isEqualTo(Bus.VERSION);
    assertThat(push.getString(Bus.TO)).isEqualTo("bob");
    assertThat(push.getLong(Bus.SEQ)).isEqualTo(3);
    assertThat(push.getString(Bus.EPOCH)).isEqualTo("ep");
    assertThat(new MsgFrame(push.getLong(Bus.SEQ), push.getString(Bus.ID), push.getLong(Bus.TS),
        push.getString(Bus.FRAME))).isEqualTo(MsgFrame.of(m));
  }
}
