package io.courier.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.testing.Nodes;
import io.courier.testing.Ports;
import io.courier.tokens.TokenIssuer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * COURIER_JWT_AUDIENCE / COURIER_JWT_ISSUER and the reserved {@code system:} subjects, at every
 * place a node reads a token: the /ws handshake, {@code refresh}, the browser bridge, the admin
 * endpoints and the TCP bridge. One real node, real sockets.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokenAudienceIssuerTest {
  @RegisterExtension
  static final Nodes<CourierNode> nodes = InProcessNodes.named("aud-iss");
  static final String ISSUER = "https://id.example";

  Vertx client;
  HttpClient http;
  CourierNode node;
  int bridgePort;

  @BeforeAll
  void start() {
    bridgePort = Ports.free();
    CourierConfig cfg = nodes.config()
        .with(ConfigKeys.JWT_AUDIENCE, "courier, chat")
        .with(ConfigKeys.JWT_ISSUER, ISSUER + ",https://id2.example")
        .with(ConfigKeys.TCP_BRIDGE_PORT, bridgePort)
        .with(ConfigKeys.GATEWAY_INSTANCES, 1);
    node = nodes.start(cfg);
    client = nodes.client();
    http = client.createHttpClient();
  }

  /** A token of {@code sub} with the given aud (String, JsonArray or null) and iss (or null). */
  private static String token(String sub, Object aud, String iss, String... roles) {
    JsonObject claims = TokenIssuer.claims(sub, Duration.ofMinutes(5), List.of(), List.of(roles));
    if (aud != null) {
      claims.put("aud", aud);
    }
    if (iss != null) {
      claims.put("iss", iss);
    }
    return TokenIssuer.sign(nodes.secret(), claims);
  }

  private static String good(String sub, String... roles) {
    return token(sub, "courier", ISSUER, roles);
  }

  /** Status and body of a refused /ws handshake. */
  private String refused(String token) {
    WebSocketClient c = client.createWebSocketClient();
    try {
      c.connect(WsProbe.options(node.port(), token)).await();
      throw new AssertionError("handshake was accepted");
    } catch (UpgradeRejectedException e) {
      return e.getStatus() + " " + e.getBody().toString();
    } finally {
      c.close();
    }
  }

  /** The node's courier_auth_failures_total for {@code reason}. */
  private double authFailures(String reason) {
    String tail = ",reason=\"" + reason + "\"} ";
    return node.context().metrics().scrape().lines()
        .filter(l -> l.startsWith("courier_auth_failures_total{") && l.contains(tail))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.indexOf(tail) + tail.length()))).findFirst()
        .orElseThrow(() -> new AssertionError("no courier_auth_failures_total for " + reason));
  }

  @Test
  void handshakeChecksAudienceIssuerAndReservedSubjects() {
    String user = "u-" + UUID.randomUUID();
    double audience = authFailures("audience");
    double issuer = authFailures("issuer");
    double reserved = authFailures("reserved_subject");
    try (WsProbe p = WsProbe.connect(client, node.port(), good(user))) {
      assertThat(p.next("welcome").getString("userId")).isEqualTo(user);
    }
    // aud as an array naming one accepted audience among others; the second issuer of the list.
    try (WsProbe p = WsProbe.connect(client, node.port(),
        token(user, new JsonArray().add("billing").add("chat"), "https://id2.example"))) {
      p.next("welcome");
    }
    assertThat(refused(token(user, "billing", ISSUER))).isEqualTo("401 token audience");
    assertThat(refused(token(user, null, ISSUER))).isEqualTo("401 token audience");
    assertThat(refused(token(user, new JsonArray().add("billing"), ISSUER))).isEqualTo("401 token audience");
    assertThat(refused(token(user, "courier", "https://evil.example"))).isEqualTo("401 token issuer");
    assertThat(refused(token(user, "courier", null))).isEqualTo("401 token issuer");
    assertThat(refused(good("system:billing"))).isEqualTo("401 token reserved subject");
    assertThat(refused(good("SYSTEM:billing"))).isEqualTo("401 token reserved subject");
    assertThat(authFailures("audience") - audience).isEqualTo(3.0);
    assertThat(authFailures("issuer") - issuer).isEqualTo(2.0);
    assertThat(authFailures("reserved_subject") - reserved).isEqualTo(2.0);
  }

  @Test
  void refreshIsRefusedTheSameWayAndTheConnectionKeepsItsToken() {
    String user = "r-" + UUID.randomUUID();
    try (WsProbe p = WsProbe.connect(client, node.port(), good(user))) {
      p.next("welcome");
      p.send(new JsonObject().put("type", "refresh").put("token", token(user, "billing", ISSUER)).put("ref", "a"));
      JsonObject aud = p.next("error");
      assertThat(aud.getString("code")).isEqualTo("forbidden");
      assertThat(aud.getString("message")).isEqualTo("refresh refused: token audience");
      assertThat(aud.getString("ref")).isEqualTo("a");
      p.send(new JsonObject().put("type", "refresh").put("token", token(user, "courier", null)).put("ref", "i"));
      JsonObject iss = p.next("error");
      assertThat(iss.getString("message")).isEqualTo("refresh refused: token issuer");
      p.send(new JsonObject().put("type", "refresh").put("token", good(user)).put("ref", "ok"));
      assertThat(p.next("refreshed").getString("ref")).isEqualTo("ok");
    }
  }

  @Test
  void browserBridgeChecksTheSameRules() throws Exception {
    String user = "b-" + UUID.randomUUID();
    try (RawBridge ok = RawBridge.open(client, node.port(), good(user))) {
      ok.register(user);
      assertThat(ok.nextType()).isEqualTo("welcome");
    }
    try (RawBridge aud = RawBridge.open(client, node.port(), token(user, "billing", ISSUER))) {
      assertThat(aud.awaitClose()).isEqualTo((short) 1008);
      assertThat(aud.closeReason()).isEqualTo("token audience");
    }
    try (RawBridge iss = RawBridge.open(client, node.port(), token(user, "chat", "https://evil.example"))) {
      assertThat(iss.awaitClose()).isEqualTo((short) 1008);
      assertThat(iss.closeReason()).isEqualTo("token issuer");
    }
    try (RawBridge system = RawBridge.open(client, node.port(), good("system:billing"))) {
      assertThat(system.awaitClose()).isEqualTo((short) 1008);
      assertThat(system.closeReason()).isEqualTo("token reserved subject");
    }
  }

  @Test
  void adminEndpointsCheckTheSameRules() {
    String admin = "ops-" + UUID.randomUUID();
    Http.Reply ok = Http.call(http, HttpMethod.GET, node.port(), "/admin/connections", good(admin, "admin"), null);
    assertThat(ok.status()).isEqualTo(200);
    Http.Reply aud = Http.call(http, HttpMethod.GET, node.port(), "/admin/connections",
        token(admin, null, ISSUER, "admin"), null);
    assertThat(aud.status() + " " + aud.body()).isEqualTo("401 token audience");
    Http.Reply iss = Http.call(http, HttpMethod.GET, node.port(), "/admin/connections",
        token(admin, "courier", "https://evil.example", "admin"), null);
    assertThat(iss.status() + " " + iss.body()).isEqualTo("401 token issuer");
    Http.Reply system = Http.call(http, HttpMethod.POST, node.port(), "/admin/drain",
        good("system:ops", "admin"), null);
    assertThat(system.status() + " " + system.body()).isEqualTo("401 token reserved subject");
    assertThat(node.isDraining()).isFalse();
  }

  @Test
  void tcpBridgeServiceTokensCheckTheSameRules() throws Exception {
    String user = "t-" + UUID.randomUUID();
    try (Socket s = new Socket("127.0.0.1", bridgePort)) {
      s.setSoTimeout(10_000);
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      DataInputStream in = new DataInputStream(s.getInputStream());
      JsonObject noAud = notify("r1", token("billing", null, ISSUER, "service"), user, "n-1");
      assertThat(exchange(out, in, noAud).getString("message")).isEqualTo("forbidden:token audience");
      JsonObject badIss = notify("r2", token("billing", "courier", "https://evil.example", "service"), user, "n-2");
      assertThat(exchange(out, in, badIss).getString("message")).isEqualTo("forbidden:token issuer");
      JsonObject ok = exchange(out, in, notify("r3", good("billing", "service"), user, "n-3"));
      assertThat(ok.getString("type")).as(ok.encode()).isEqualTo("message");
      assertThat(ok.getJsonObject("body").getString("id")).isEqualTo("n-3");
    }
    try (WsProbe p = WsProbe.connect(client, node.port(), good(user))) {
      assertThat(p.next("welcome").getLong("lastSeq")).as("only the accepted notification is stored").isEqualTo(1);
    }
  }

  private static JsonObject notify(String replyAddress, String token, String to, String id) {
    return new JsonObject().put("type", "send").put("address", "courier.notify").put("replyAddress", replyAddress)
        .put("headers", new JsonObject().put("token", token))
        .put("body", new JsonObject().put("id", id).put("to", to).put("body", new JsonObject().put("k", 1)));
  }

  /** One length-prefixed frame out, one in (the TCP bridge's framing). */
  private static JsonObject exchange(DataOutputStream out, DataInputStream in, JsonObject frame) throws Exception {
    byte[] json = frame.encode().getBytes(StandardCharsets.UTF_8);
    out.writeInt(json.length);
    out.write(json);
    out.flush();
    byte[] reply = new byte[in.readInt()];
    in.readFully(reply);
    return new JsonObject(new String(reply, StandardCharsets.UTF_8));
  }
}
