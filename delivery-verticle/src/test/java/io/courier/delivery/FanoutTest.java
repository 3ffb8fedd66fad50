package io.courier.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.protocol.Bus;
import io.courier.protocol.InboxMessage;
import io.courier.protocol.MsgFrame;
import io.courier.protocol.bus.NodePush;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class FanoutTest {

  @Test
  void aDirectPushCarriesTheFrameWithItsIdAndTsBesideIt() {
    InboxMessage m = new InboxMessage(3, "ep", "id-3", "alice", "bob", null, "{\"a\":1}", 300);
    JsonObject json = Fanout.push("bob", m, 400L).toJson();
    assertThat(json.getInteger(Bus.V)).isEqualTo(Bus.VERSION);
    NodePush push = NodePush.fromJson(json);
    assertThat(push.to()).isEqualTo("bob");
    assertThat(push.seq()).isEqualTo(3);
    assertThat(push.epoch()).isEqualTo("ep");
    assertThat(push.sentAt()).isEqualTo(400L);
    assertThat(new MsgFrame(push.seq(), push.id(), push.ts(), push.frame())).isEqualTo(MsgFrame.of(m));
  }
}
