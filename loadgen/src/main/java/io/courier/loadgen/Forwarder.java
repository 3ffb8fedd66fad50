package io.courier.loadgen;

import io.courier.protocol.ClientFrames;
import io.courier.protocol.ErrorCodes;
import io.courier.protocol.FrameTypes;
import io.courier.protocol.HttpPaths;
import io.courier.protocol.MsgFrame;
import io.courier.protocol.ServerFrames;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The ceiling Courier is measured against: a raw Vert.x WebSocket forwarder with no auth, no store,
 * no seq and no acks. A client connects to {@code /ws?user=ID}, gets a `welcome`, and each
 * {@code send} is parsed, written as a `msg` to the recipient's socket, and answered with `sent`
 * (or `error not_found` when the recipient is not connected). One instance per event loop, like the
 * gateway. Its frames are the protocol's own ({@link ServerFrames}, {@link MsgFrame}), less what it
 * does not have: a `msg` without seq and epoch.
 */
final class Forwarder extends VerticleBase {
  /** The epoch every forwarder welcome names: there is no inbox behind it. */
  private static final String RAW_EPOCH = "raw";
  /** The start of a `msg` frame with no seq or epoch; {@link MsgFrame#tail} is the rest. */
  private static final String UNSEQUENCED_MSG = "{\"" + ClientFrames.TYPE + "\":" + Json.encode(FrameTypes.MSG);

  private final Map<String, ServerWebSocket> users;
  private final String host;
  private final int port;
  private HttpServer server;

  private Forwarder(Map<String, ServerWebSocket> users, String host, int port) {
    this.users = users;
    this.host = host;
    this.port = port;
  }

  /**
   * Deploys on {@code vertx}; the future carries the port it listens on. Port 0 is a port the
   * system picks, shared by every instance (Vert.x binds a negative port once, at random, and
   * shares it between the servers that name the same one).
   */
  static Future<Integer> start(Vertx vertx, String host, int port) {
    Map<String, ServerWebSocket> users = new ConcurrentHashMap<>();
    int shared = port == 0 ? -1 : port;
    int instances = Runtime.getRuntime().availableProcessors();
    List<Forwarder> deployed = new CopyOnWriteArrayList<>();
    return vertx.deployVerticle(() -> {
      Forwarder f = new Forwarder(users, host, shared);
      deployed.add(f);
      return f;
    }, new DeploymentOptions().setInstances(instances)).map(id -> deployed.get(0).server.actualPort());
  }

  @Override
  public Future<?> start() {
    server = vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port).setMaxWebSocketFrameSize(65536));
    server.webSocketHandshakeHandler(hs -> {
      String user = hs.path().equals(HttpPaths.WS) ? queryUser(hs.query()) : null;
      if (user == null) {
        hs.reject(400);
      } else {
        hs.accept();
      }
    });
    server.webSocketHandler(this::onSocket);
    return server.listen();
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  private static String queryUser(String query) {
    if (query == null) {
      return null;
    }
    for (String kv : query.split("&")) {
      if (kv.startsWith("user=") && kv.length() > 5) {
        return kv.substring(5);
      }
    }
    return null;
  }

  private void onSocket(ServerWebSocket ws) {
    String user = queryUser(ws.query());
    users.put(user, ws);
    ws.closeHandler(v -> users.remove(user, ws));
    // No sessions, heartbeats or token expiry here: the session is the user, the other two are 0.
    ws.writeTextMessage(ServerFrames.welcome(user, user, "forwarder", RAW_EPOCH, 0, 0, 0).encode());
    ws.textMessageHandler(text -> {
      JsonObject f;
      try {
        f = new JsonObject(text);
      } catch (RuntimeException e) {
        ws.writeTextMessage(ServerFrames.error(ErrorCodes.BAD_FRAME, "not JSON", null).encode());
        return;
      }
      String type = f.getString(ClientFrames.TYPE, "");
      if (FrameTypes.PING.equals(type)) {
        ws.writeTextMessage(ServerFrames.pong(null).encode());
        return;
      }
      if (!FrameTypes.SEND.equals(type)) {
        return;
      }
      String id = f.getString(ClientFrames.ID, "");
      String recipient = f.getString(ClientFrames.TO, "");
      ServerWebSocket to = users.get(recipient);
      long now = System.currentTimeMillis();
      if (to == null) {
        ws.writeTextMessage(ServerFrames.error(ErrorCodes.NOT_FOUND, "recipient not connected", id).encode());
        return;
      }
      to.writeTextMessage(UNSEQUENCED_MSG + MsgFrame.tail(id, user, recipient, null, Json.encode(f.getValue(ClientFrames.BODY)), now));
      ws.writeTextMessage(ServerFrames.sent(id, now, false, null).encode());
    });
  }
}
