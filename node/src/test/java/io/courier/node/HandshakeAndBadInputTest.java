package io.courier.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.testing.Nodes;
import io.courier.tokens.TokenIssuer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Handshake refusals and every kind of bad input named in the protocol, against a real node. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HandshakeAndBadInputTest {
  @RegisterExtension
  static final Nodes<CourierNode> nodes = InProcessNodes.named("edges");
  static final int MAX_FRAME = 4096;

  Vertx client;
  CourierNode node;

  @BeforeAll
  void start() {
    CourierConfig cfg = nodes.config()
        .with(ConfigKeys.MAX_FRAME_BYTES, MAX_FRAME)
        .with(ConfigKeys.ALLOWED_ORIGINS, "https://app.example");
    node = nodes.start(cfg);
    client = nodes.client();
  }

  private WsProbe connected() {
    WsProbe p = WsProbe.connect(client, node.port(), nodes.token("u-" + UUID.randomUUID()));
    p.next("welcome");
    return p;
  }

  private void assertStillServes(WsProbe p) {
    p.send(new JsonObject().put("type", "ping").put("ref", "alive"));
    assertThat(p.next("pong").getString("ref")).isEqualTo("alive");
  }

  // ---- handshake ----------------------------------------------------------------------------

  @Test
  void missingTokenIs401() {
    assertThat(WsProbe.refusedStatus(client, WsProbe.options(node.port(), null))).isEqualTo(401);
  }

  @Test
  void expiredTokenIs401() {
    long now = System.currentTimeMillis() / 1000;
    String t = TokenIssuer.sign(nodes.secret(), new JsonObject().put("sub", "x").put("iat", now - 100).put("exp", now - 30));
    assertThat(WsProbe.refusedStatus(client, WsProbe.options(node.port(), t))).isEqualTo(401);
  }

  @Test
  void tokenExpiredWithinLeewayIsAccepted() {
    long now = System.currentTimeMillis() / 1000;
    String t = TokenIssuer.sign(nodes.secret(), new JsonObject().put("sub", "leeway").put("exp", now - 2));
    try (WsProbe p = WsProbe.connect(client, node.port(), t)) {
      assertThat(p.next("welcome").getString("userId")).isEqualTo("leeway");
    }
  }

  @Test
  void forgedTokenIs401() {
    String forged = TokenIssuer.issue("another-secret-of-the-right-length-" + UUID.randomUUID(), "mallory", Duration.ofHours(1), List.of());
    assertThat(WsProbe.refusedStatus(client, WsProbe.options(node.port(), forged))).isEqualTo(401);
  }

  @Test
  void tokenWithoutExpOrSubIs401() {
    String noExp = TokenIssuer.sign(nodes.secret(), new JsonObject().put("sub", "forever"));
    String noSub = TokenIssuer.sign(nodes.secret(), new JsonObject().put("exp", System.currentTimeMillis() / 1000 + 60));
    assertThat(WsProbe.refusedStatus(client, WsProbe.options(node.port(), noExp))).isEqualTo(401);
    assertThat(WsProbe.refusedStatus(client, WsProbe.options(node.port(), noSub))).isEqualTo(401);
  }

  @Test
  void algNoneIs401() {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String header = b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    String payload = b64.encodeToString(new JsonObject().put("sub", "eve")
        .put("exp", System.currentTimeMillis() / 1000 + 60).encode().getBytes(StandardCharsets.UTF_8));
    assertThat(WsProbe.refusedStatus(client, WsProbe.options(node.port(), header + "." + payload + "."))).isEqualTo(401);
  }

  @Test
  void garbageTokenIs401() {
    assertThat(WsProbe.refusedStatus(client, WsProbe.options(node.port(), "not-a-jwt"))).isEqualTo(401);
  }

  @Test
  void tokenInQueryWorksAndHeaderWins() {
    String good = nodes.token("query-user");
    try (WsProbe p = WsProbe.connect(client, WsProbe.options(node.port(), null).setURI("/ws?token=" + good))) {
      assertThat(p.next("welcome").getString("userId")).isEqualTo("query-user");
    }
    // a bad header beats a good query token
    assertThat(WsProbe.refusedStatus(client, WsProbe.options(node.port(), "bad.bad.bad").setURI("/ws?token=" + good)))
        .isEqualTo(401);
  }

  @Test
  void disallowedOriginIs403AndAllowedOriginConnects() {
    String t = nodes.token("origin-user");
    assertThat(WsProbe.refusedStatus(client, WsProbe.options(node.port(), t).setAllowOriginHeader(true)
        .addHeader("Origin", "https://evil.example"))).isEqualTo(403);
    try (WsProbe p = WsProbe.connect(client, WsProbe.options(node.port(), t).setAllowOriginHeader(true)
        .addHeader("Origin", "https://app.example"))) {
      p.next("welcome");
    }
  }

  // ---- bad input ----------------------------------------------------------------------------

  @Test
  void nonJsonWrongTypesAndUnknownTypeGetBadFrame() {
    try (WsProbe p = connected()) {
      for (String bad : List.of("hello", "[1]", "{\"type\":\"teleport\"}", "{\"type\":\"ack\",\"seq\":\"x\"}",
          "{\"type\":\"send\",\"id\":5,\"to\":\"b\",\"body\":1}", "{\"type\":\"send\",\"id\":\"a\",\"to\":\"b\"}",
          "{\"type\":\"sync\",\"after\":-3}")) {
        p.sendText(bad);
        JsonObject e = p.next("error");
        assertThat(e.getString("code")).as(bad).isEqualTo("bad_frame");
        assertThat(e.getString("message")).isNotBlank();
      }
      assertStillServes(p);
    }
  }

  @Test
  void sixtyFiveCharIdIsRefusedWithRef() {
    try (WsProbe p = connected()) {
      String id = "i".repeat(65);
      p.send(new JsonObject().put("type", "send").put("id", id).put("to", "b").put("body", 1));
      JsonObject e = p.next("error");
      assertThat(e.getString("code")).isEqualTo("bad_frame");
      assertThat(e.getString("ref")).isEqualTo(id);
      assertStillServes(p);
    }
  }

  @Test
  void binaryFrameGetsBadFrame() {
    try (WsProbe p = connected()) {
      p.sendBinary(Buffer.buffer(new byte[] {1, 2, 3}));
      assertThat(p.next("error").getString("code")).isEqualTo("bad_frame");
      assertStillServes(p);
    }
  }

  @Test
  void frameAtTheLimitIsAcceptedAndOneByteMoreIsTooLarge() {
    try (WsProbe p = connected()) {
      String prefix = "{\"type\":\"ping\",\"pad\":\"";
      String suffix = "\"}";
      String atLimit = prefix + "p".repeat(MAX_FRAME - prefix.length() - suffix.length()) + suffix;
      assertThat(atLimit.length()).isEqualTo(MAX_FRAME);
      p.sendText(atLimit);
      p.next("pong");
      p.sendText(prefix + "p".repeat(MAX_FRAME - prefix.length() - suffix.length() + 1) + suffix);
      assertThat(p.next("error").getString("code")).isEqualTo("too_large");
      assertStillServes(p);
    }
  }

  @Test
  void messagePastTheTransportLimitClosesWith1009() {
    try (WsProbe p = connected()) {
      p.sendText("{\"type\":\"ping\",\"pad\":\"" + "p".repeat(MAX_FRAME * 6) + "\"}");
      assertThat(p.awaitClose()).isEqualTo((short) 1009);
    }
  }

  @Test
  void fragmentedMessagePastTheTransportLimitClosesWith1009() {
    // Each fragment is small; only their sum passes the limit.
    WsProbe p = WsProbe.connect(client, node.port(), nodes.token("frag-" + UUID.randomUUID()), 1024);
    try (p) {
      p.next("welcome");
      p.sendText("{\"type\":\"ping\",\"pad\":\"" + "p".repeat(MAX_FRAME * 6) + "\"}");
      assertThat(p.awaitClose()).isEqualTo((short) 1009);
    }
  }

  @Test
  void withoutARoomsClaimJoinAndRoomSendAreForbidden() {
    try (WsProbe p = connected()) {
      p.send(new JsonObject().put("type", "send").put("id", "r1").put("room", "lobby").put("body", 1));
      JsonObject e = p.next("error");
      assertThat(e.getString("code")).isEqualTo("forbidden");
      assertThat(e.getString("ref")).isEqualTo("r1");
      p.send(new JsonObject().put("type", "join").put("room", "lobby").put("ref", "j"));
      JsonObject j = p.next("error");
      assertThat(j.getString("code")).isEqualTo("forbidden");
      assertThat(j.getString("ref")).isEqualTo("j");
      p.send(new JsonObject().put("type", "join").put("room", "").put("ref", "j2"));
      assertThat(p.next("error").getString("code")).isEqualTo("bad_frame");
    }
  }

  @Test
  void presenceAnswersForOnlineAndOfflineUsers() {
    String online = "pres-" + UUID.randomUUID();
    try (WsProbe o = WsProbe.connect(client, node.port(), nodes.token(online)); WsProbe p = connected()) {
      o.next("welcome");
      p.send(new JsonObject().put("type", "presence").put("users", List.of(online, "never-seen")));
      JsonObject users = p.next("presence").getJsonObject("users");
      assertThat(users.getJsonObject(online).getBoolean("online")).isTrue();
      assertThat(users.getJsonObject(online).getInteger("devices")).isEqualTo(1);
      assertThat(users.getJsonObject("never-seen").getBoolean("online")).isFalse();
      assertThat(users.getJsonObject("never-seen").containsKey("since")).isFalse();
    }
  }
}
