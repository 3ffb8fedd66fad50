package io.courier.loadgen;

import io.courier.protocol.FrameTypes;
import io.courier.protocol.HttpPaths;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The ceiling Courier is measured against: a raw Vert.x WebSocket forwarder with no auth, no store,
 * no seq and no acks. A client connects to {@code /ws?user=ID}, gets a `welcome`, and each
 * {@code send} is parsed, written as a `msg` to the recipient's socket, and answered with `sent`
 * (or `error not_found` when the recipient is not connected). One instance per event loop, like the
 * gateway.
 */
final class Forwarder extends VerticleBase {
  private final Map<String, ServerWebSocket> users;
  private final String host;
  private final int port;
  private HttpServer server;

  private Forwarder(Map<String, ServerWebSocket> users, String host, int port) {
    this.users = users;
    this.host = host;
    this.port = port;
  }

  /** Deploys on {@code vertx}; the future carries the port it listens on. */
  static Future<Integer> start(Vertx vertx, String host, int port) {
    Map<String, ServerWebSocket> users = new ConcurrentHashMap<>();
    int resolved = port == 0 ? io.courier.cluster.FreePorts.pick(host) : port;
    int instances = Runtime.getRuntime().availableProcessors();
    return vertx.deployVerticle(() -> new Forwarder(users, host, resolved), new DeploymentOptions().setInstances(instances))
        .map(id -> resolved);
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
    ws.writeTextMessage(new JsonObject().put("type", FrameTypes.WELCOME).put("userId", user)
        .put("epoch", "raw").put("lastSeq", 0).encode());
    ws.textMessageHandler(text -> {
      JsonObject f;
      try {
        f = new JsonObject(text);
      } catch (RuntimeException e) {
        ws.writeTextMessage("{\"type\":\"error\",\"code\":\"bad_frame\",\"message\":\"not JSON\"}");
        return;
      }
      String type = f.getString("type", "");
      if (FrameTypes.PING.equals(type)) {
        ws.writeTextMessage("{\"type\":\"pong\"}");
        return;
      }
      if (!FrameTypes.SEND.equals(type)) {
        return;
      }
      String id = f.getString("id", "");
      ServerWebSocket to = users.get(f.getString("to", ""));
      long now = System.currentTimeMillis();
      if (to == null) {
        ws.writeTextMessage(new JsonObject().put("type", FrameTypes.ERROR).put("code", "not_found")
            .put("message", "recipient not connected").put("ref", id).encode());
        return;
      }
      to.writeTextMessage(new JsonObject().put("type", FrameTypes.MSG).put("id", id).put("from", user)
          .put("to", f.getString("to")).put("body", f.getValue("body")).put("ts", now).encode());
      ws.writeTextMessage(new JsonObject().put("type", FrameTypes.SENT).put("id", id).put("ts", now).encode());
    });
  }
}
