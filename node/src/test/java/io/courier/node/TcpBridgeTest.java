package io.courier.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.testing.Nodes;
import io.courier.testing.Ports;
import io.courier.tokens.TokenIssuer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A service in another language (the Node.js example, run as a real process) notifies a user
 * through the TCP event-bus bridge; raw bridge frames check what the bridge refuses.
 */
class TcpBridgeTest {
  @RegisterExtension
  static final Nodes<CourierNode> nodes = InProcessNodes.named("bridge");
  private static final String SHARED = "shared-" + UUID.randomUUID();
  private static final int MAX_FRAME = 4096;
  private static final Path NOTIFY = Path.of("..", "examples", "node", "notify.mjs").toAbsolutePath().normalize();

  private static Vertx clientVertx;
  private static CourierNode node;
  private static int bridgePort;

  @BeforeAll
  static void start() {
    bridgePort = Ports.free();
    CourierConfig cfg = nodes.config()
        .with(ConfigKeys.TCP_BRIDGE_PORT, bridgePort).with(ConfigKeys.TCP_BRIDGE_SECRET, SHARED)
        .with(ConfigKeys.TCP_BRIDGE_MAX_FRAME_BYTES, MAX_FRAME).with(ConfigKeys.GATEWAY_INSTANCES, 1);
    node = nodes.start(cfg);
    clientVertx = nodes.client();
  }

  private static String serviceToken(String name) {
    return TokenIssuer.issue(nodes.secret(), name, Duration.ofMinutes(5), List.of(), List.of("service"));
  }

  private static String userToken(String user) {
    return nodes.token(user, Duration.ofMinutes(5));
  }

  @Test
  void nodeExampleNotifiesAConnectedUserOnceAndIsRefusedWithoutAuth() throws Exception {
    String user = "u-" + UUID.randomUUID();
    try (WsProbe ws = WsProbe.connect(clientVertx, node.port(), userToken(user))) {
      ws.next("welcome");

      Result first = runNotify("--token", serviceToken("billing"), "--to", user, "--id", "n-1", "--text", "invoice ready");
      assertThat(first.exit).as(first.output).isZero();
      JsonObject reply = new JsonObject(first.lastLine());
      assertThat(reply.getString("id")).isEqualTo("n-1");
      assertThat(reply.getBoolean("dup")).isFalse();
      assertThat(reply.getLong("ts")).isPositive();

      JsonObject msg = ws.next("msg");
      assertThat(msg.getString("from")).isEqualTo("system:billing");
      assertThat(msg.getString("to")).isEqualTo(user);
      assertThat(msg.getString("id")).isEqualTo("n-1");
      assertThat(msg.getJsonObject("body")).isEqualTo(new JsonObject().put("text", "invoice ready"));
      assertThat(msg.getLong("ts")).isEqualTo(reply.getLong("ts"));
      ws.send(new JsonObject().put("type", "ack").put("seq", msg.getLong("seq")));

      Result again = runNotify("--token", serviceToken("billing"), "--to", user, "--id", "n-1", "--text", "invoice ready");
      assertThat(again.exit).as(again.output).isZero();
      JsonObject dup = new JsonObject(again.lastLine());
      assertThat(dup.getBoolean("dup")).isTrue();
      assertThat(dup.getLong("ts")).isEqualTo(reply.getLong("ts"));

      Result noAuth = runNotify("--to", user, "--id", "n-2", "--text", "sneaky");
      assertThat(noAuth.exit).as(noAuth.output).isEqualTo(1);
      assertThat(new JsonObject(noAuth.lastLine()).getString("error")).isEqualTo("forbidden");

      Result userTok = runNotify("--token", userToken("billing"), "--to", user, "--id", "n-3", "--text", "not a service");
      assertThat(userTok.exit).as(userTok.output).isEqualTo(1);
      assertThat(userTok.output).contains("forbidden", "service");

      Result shared = runNotify("--secret", SHARED, "--service", "reports", "--to", user, "--id", "n-4", "--body", "[1,2]");
      assertThat(shared.exit).as(shared.output).isZero();
      JsonObject second = ws.next("msg");
      assertThat(second.getString("from")).isEqualTo("system:reports");
      assertThat(second.getValue("body")).isEqualTo(new io.vertx.core.json.JsonArray("[1,2]"));

      Result badSecret = runNotify("--secret", SHARED + "x", "--service", "reports", "--to", user, "--id", "n-5", "--text", "x");
      assertThat(badSecret.exit).as(badSecret.output).isEqualTo(1);

      // Only the two accepted notifications were stored: n-1 once, n-4.
      ws.expectNone("msg", Duration.ofMillis(300));
      ws.send(new JsonObject().put("type", "sync").put("after", 0).put("ref", "s"));
      JsonObject synced = ws.next("synced");
      assertThat(synced.getLong("upTo")).isEqualTo(2);
    }
  }

  @Test
  void everyOtherAddressAndFrameIsRefusedAndStoresNothing() throws Exception {
    String user = "u-" + UUID.randomUUID();
    String token = serviceToken("billing");
    try (BridgeSocket b = new BridgeSocket(bridgePort)) {
      JsonObject headers = new JsonObject().put("token", token);
      JsonObject sendBody = new JsonObject().put("v", 1).put("from", "mallory").put("id", "x").put("to", user)
          .put("body", "\"x\"").put("ts", 1);
      for (String address : List.of("courier.delivery.send", "courier.delivery.read", "courier.node.any", "courier.presence.query")) {
        b.write(new JsonObject().put("type", "send").put("address", address).put("replyAddress", "r-" + address)
            .put("headers", headers).put("body", sendBody));
        assertThat(b.read().getString("message")).as(address).isEqualTo("access_denied");
      }
      b.write(new JsonObject().put("type", "register").put("address", "courier.node.any").put("headers", headers));
      assertThat(b.read().getString("message")).isEqualTo("access_denied");
      b.write(new JsonObject().put("type", "publish").put("address", "courier.notify").put("headers", headers)
          .put("body", new JsonObject().put("id", "p").put("to", user).put("body", 1)));
      assertThat(b.read().getString("message")).startsWith("bad_frame:courier.notify takes requests only");
      b.write(new JsonObject().put("type", "teleport").put("address", "courier.notify"));
      assertThat(b.read().getString("message")).isEqualTo("bad_frame:unknown frame type 'teleport'");
      b.writeRaw("not json".getBytes(StandardCharsets.UTF_8));
      assertThat(b.read().getString("message")).isEqualTo("bad_frame:frame is not a JSON object");

      // Body checks come after authentication; bad fields get bad_frame with the BusFailures code.
      b.write(notify("r1", headers, new JsonObject().put("id", "x".repeat(65)).put("to", user).put("body", 1)));
      JsonObject err = b.read();
      assertThat(err.getString("type")).isEqualTo("err");
      assertThat(err.getString("address")).isEqualTo("r1");
      assertThat(err.getInteger("failureCode")).isEqualTo(400);
      assertThat(err.getString("message")).startsWith("bad_frame:id");
      b.write(notify("r2", new JsonObject().put("token", token + "x"), new JsonObject().put("id", "a").put("to", user).put("body", 1)));
      err = b.read();
      assertThat(err.getInteger("failureCode")).isEqualTo(403);
      assertThat(err.getString("message")).startsWith("forbidden:");

      b.write(new JsonObject().put("type", "ping"));
      assertThat(b.read().getString("type")).isEqualTo("pong");
    }
    // Nothing reached the user's inbox.
    try (WsProbe ws = WsProbe.connect(clientVertx, node.port(), userToken(user))) {
      assertThat(ws.next("welcome").getLong("lastSeq")).isZero();
    }
  }

  @Test
  void frameAtTheLimitIsReadAndOneByteMoreClosesTheConnection() throws Exception {
    String user = "u-" + UUID.randomUUID();
    try (BridgeSocket b = new BridgeSocket(bridgePort)) {
      JsonObject frame = notify("r1", new JsonObject().put("token", serviceToken("billing")),
          new JsonObject().put("id", "big-1").put("to", user).put("body", ""));
      int fill = MAX_FRAME - frame.encode().getBytes(StandardCharsets.UTF_8).length;
      frame.getJsonObject("body").put("body", "y".repeat(fill));
      assertThat(frame.encode().getBytes(StandardCharsets.UTF_8)).hasSize(MAX_FRAME);
      b.write(frame);
      JsonObject reply = b.read();
      assertThat(reply.getString("type")).as(reply.encode()).isEqualTo("message");
      assertThat(reply.getJsonObject("body").getString("id")).isEqualTo("big-1");

      frame.getJsonObject("body").put("id", "big-2").put("body", "y".repeat(fill + 1));
      b.write(frame);
      assertThat(b.read().getString("message")).isEqualTo("too_large:frame of " + (MAX_FRAME + 1) + " bytes exceeds "
          + MAX_FRAME + " bytes");
      b.awaitEof();
    }
    try (WsProbe ws = WsProbe.connect(clientVertx, node.port(), userToken(user))) {
      assertThat(ws.next("welcome").getLong("lastSeq")).isEqualTo(1);
    }
  }

  private static JsonObject notify(String replyAddress, JsonObject headers, JsonObject body) {
    return new JsonObject().put("type", "send").put("address", "courier.notify").put("replyAddress", replyAddress)
        .put("headers", headers).put("body", body);
  }

  private record Result(int exit, String output) {
    String lastLine() {
      String[] lines = output.strip().split("\n");
      return lines[lines.length - 1];
    }
  }

  static String nodeExecutable() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      Path p = Path.of(dir, "node");
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    throw new AssertionError("Node.js ('node' on PATH) is required to test examples/node/notify.mjs; "
        + "install it (Debian: apt-get install nodejs) - .ci/run does this");
  }

  /** Runs the example with {@code args} after --port; its stdout and stderr together. */
  private static Result runNotify(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(nodeExecutable(), NOTIFY.toString(), "--port", String.valueOf(bridgePort)));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().remove("COURIER_SERVICE_TOKEN");
    pb.environment().remove("COURIER_TCP_BRIDGE_SECRET");
    Process p = pb.start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("notify.mjs finished").isTrue();
      return new Result(p.exitValue(), out);
    } finally {
      p.destroyForcibly();
    }
  }

  /** A raw TCP bridge client: 4-byte big-endian length, then JSON. Blocking, test thread only. */
  private static final class BridgeSocket implements AutoCloseable {
    private final Socket socket;
    private final DataOutputStream out;
    private final DataInputStream in;

    BridgeSocket(int port) throws IOException {
      socket = new Socket("127.0.0.1", port);
      socket.setSoTimeout(10_000);
      out = new DataOutputStream(socket.getOutputStream());
      in = new DataInputStream(socket.getInputStream());
    }

    void write(JsonObject frame) throws IOException {
      writeRaw(frame.encode().getBytes(StandardCharsets.UTF_8));
    }

    void writeRaw(byte[] json) throws IOException {
      out.writeInt(json.length);
      out.write(json);
      out.flush();
    }

    JsonObject read() throws IOException {
      int len = in.readInt();
      byte[] b = new byte[len];
      in.readFully(b);
      return new JsonObject(new String(b, StandardCharsets.UTF_8));
    }

    void awaitEof() throws IOException {
      try {
        int r = in.read();
        assertThat(r).as("connection closed").isEqualTo(-1);
      } catch (SocketTimeoutException e) {
        throw new AssertionError("connection not closed within 10 s", e);
      } catch (EOFException | java.net.SocketException closed) {
        // closed
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
