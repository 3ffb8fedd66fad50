package io.courier.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The client frames as the Java client and the load generator write them, read back by the server's own parser. */
class ClientFramesTest {

  @Test
  void sendToAUserParsesAsTheServerSeesIt() {
    String frame = ClientFrames.send("id-1", "bob", null, "{\"text\":\"hé \\\"x\\\"\"}");
    FrameParser.Result r = FrameParser.parse(frame);
    assertThat(r.ok()).isTrue();
    ClientFrame.Send s = (ClientFrame.Send) r.frame();
    assertThat(s.id()).isEqualTo("id-1");
    assertThat(s.to()).isEqualTo("bob");
    assertThat(s.room()).isNull();
    assertThat(new JsonObject(s.bodyJson()).getString("text")).isEqualTo("hé \"x\"");
  }

  @Test
  void sendToARoomWithAnyJsonBody() {
    for (String body : List.of("null", "42", "\"s\"", "[1,2]", "true")) {
      ClientFrame.Send s = (ClientFrame.Send) FrameParser.parse(ClientFrames.send("i", null, "r-1", body)).frame();
      assertThat(s.room()).isEqualTo("r-1");
      assertThat(s.to()).isNull();
      assertThat(s.bodyJson()).isEqualTo(body);
    }
  }

  @Test
  void ackSyncRefreshJoinAndUsersParse() {
    assertThat(((ClientFrame.Ack) FrameParser.parse(ClientFrames.ack(7)).frame()).seq()).isEqualTo(7);
    ClientFrame.Sync sync = (ClientFrame.Sync) FrameParser.parse(ClientFrames.sync(3, "ep", "sync-1")).frame();
    assertThat(sync.after()).isEqualTo(3);
    assertThat(sync.epoch()).isEqualTo("ep");
    assertThat(sync.ref()).isEqualTo("sync-1");
    assertThat(((ClientFrame.Sync) FrameParser.parse(ClientFrames.sync(0, null, "s")).frame()).epoch()).isNull();
    ClientFrame.Sync noRef = (ClientFrame.Sync) FrameParser.parse(ClientFrames.sync(5, "ep", null)).frame();
    assertThat(noRef.ref()).isNull();
    assertThat(new JsonObject(ClientFrames.sync(5, "ep", null)).containsKey(ClientFrames.REF)).isFalse();
    ClientFrame.Sync proof = (ClientFrame.Sync) FrameParser.parse(ClientFrames.sync(3, "ep", "m3", 1003, "s")).frame();
    assertThat(proof.lastId()).isEqualTo("m3");
    assertThat(proof.lastTs()).isEqualTo(1003L);
    ClientFrame.Sync noTs = (ClientFrame.Sync) FrameParser.parse(ClientFrames.sync(3, "ep", "m3", 0, "s")).frame();
    assertThat(noTs.lastId()).isEqualTo("m3");
    assertThat(noTs.lastTs()).as("0 is unknown and left out").isNull();
    ClientFrame.Sync fromZero = (ClientFrame.Sync) FrameParser.parse(ClientFrames.sync(0, "ep", "m3", 1003, "s")).frame();
    assertThat(fromZero.lastId()).as("no proof with after 0").isNull();
    assertThat(((ClientFrame.Refresh) FrameParser.parse(ClientFrames.refresh("tok", "r")).frame()).token())
        .isEqualTo("tok");
    assertThat(((ClientFrame.Join) FrameParser.parse(ClientFrames.room(FrameTypes.JOIN, "r").encode()).frame()).room())
        .isEqualTo("r");
    ClientFrame.Users u = (ClientFrame.Users) FrameParser.parse(
        ClientFrames.users(FrameTypes.WATCH, List.of("a", "b")).encode()).frame();
    assertThat(u.type()).isEqualTo(FrameTypes.WATCH);
    assertThat(u.users()).containsExactly("a", "b");
    assertThat(FrameParser.parse(ClientFrames.PING_FRAME).frame()).isInstanceOf(ClientFrame.Ping.class);
  }
}
