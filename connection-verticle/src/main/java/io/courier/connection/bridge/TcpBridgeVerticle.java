package io.courier.connection.bridge;

import io.courier.cluster.NodeContext;
import io.courier.connection.auth.JwtKeys;
import io.courier.connection.auth.RevocationCheck;
import io.courier.connection.auth.TokenVerifier;
import io.courier.connection.handshake.ConnectionGuard;
import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.protocol.ServiceBridge;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServerOptions;
import io.vertx.ext.bridge.BridgeEventType;
import io.vertx.ext.bridge.BridgeOptions;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.eventbus.bridge.tcp.BridgeEvent;
import io.vertx.ext.eventbus.bridge.tcp.TcpEventBusBridge;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TCP event-bus bridge for services in other languages ({@code COURIER_TCP_BRIDGE_PORT}).
 * One address is permitted inbound, {@code courier.notify}, as request/reply; nothing outbound, so
 * a service can neither reach {@code courier.delivery.*} or {@code courier.node.*} nor register for
 * anything. Layers, from the socket in:
 *
 * <ol>
 *   <li>{@link FrameGate}: frame size limit and frame shape, before the library parses anything;
 *   <li>the bridge's event hook ({@link #onEvent}): replaces the client's headers with the ones
 *       {@code courier.notify} reads, so a client cannot choose its own delivery options;
 *   <li>the library's permitted-address check ({@code access_denied} for any other address);
 *   <li>{@link ServiceNotify}, a local consumer: authentication, body checks, the store.
 * </ol>
 */
public final class TcpBridgeVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(TcpBridgeVerticle.class);
  /** Shortest shared secret accepted at start. */
  static final int MIN_SECRET_LENGTH = 16;
  /** Smallest frame limit accepted at start: room for a request with a token in its headers. */
  static final int MIN_FRAME_BYTES = 1024;

  private final NodeContext node;
  private final JwtKeys keys;
  private final RevocationCheck revocations;
  private TcpEventBusBridge bridge;
  private long requestTimeoutMs;

  public TcpBridgeVerticle(NodeContext node, JwtKeys keys, RevocationCheck revocations) {
    this.node = node;
    this.keys = keys;
    this.revocations = revocations;
  }

  /** Fails with a clear message when the bridge settings cannot work; called before deploying. */
  public static void validate(CourierConfig cfg) {
    int port = cfg.getInt(ConfigKeys.TCP_BRIDGE_PORT);
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(ConfigKeys.TCP_BRIDGE_PORT.env() + " must be 0 (off) or a port, got " + port);
    }
    String secret = cfg.get(ConfigKeys.TCP_BRIDGE_SECRET);
    if (!secret.isEmpty() && secret.length() < MIN_SECRET_LENGTH) {
      throw new IllegalArgumentException(ConfigKeys.TCP_BRIDGE_SECRET.env() + " must be at least " + MIN_SECRET_LENGTH
          + " characters (or empty for tokens only)");
    }
    long maxFrame = cfg.getLong(ConfigKeys.TCP_BRIDGE_MAX_FRAME_BYTES);
    if (maxFrame < MIN_FRAME_BYTES || maxFrame > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(ConfigKeys.TCP_BRIDGE_MAX_FRAME_BYTES.env() + " must be " + MIN_FRAME_BYTES
          + "-" + Integer.MAX_VALUE + ", got " + maxFrame);
    }
    if (cfg.getLong(ConfigKeys.TCP_BRIDGE_IDLE_TIMEOUT_MS) < 0) {
      throw new IllegalArgumentException(ConfigKeys.TCP_BRIDGE_IDLE_TIMEOUT_MS.env() + " must be >= 0");
    }
    if (cfg.getInt(ConfigKeys.TCP_BRIDGE_MAX_PENDING) < 1) {
      throw new IllegalArgumentException(ConfigKeys.TCP_BRIDGE_MAX_PENDING.env() + " must be >= 1");
    }
  }

  @Override
  public Future<?> start() {
    CourierConfig cfg = node.config();
    validate(cfg);
    long busTimeout = cfg.getLong(ConfigKeys.BUS_TIMEOUT_MS);
    // The bridge's own request must outlive ours to delivery, so the service always gets our answer.
    requestTimeoutMs = busTimeout + 1000;
    int maxFrame = cfg.getInt(ConfigKeys.TCP_BRIDGE_MAX_FRAME_BYTES);
    ServiceNotify notify = new ServiceNotify(vertx.eventBus(), node.nodeId(),
        new TokenVerifier(vertx, keys, cfg, revocations), cfg.get(ConfigKeys.TCP_BRIDGE_SECRET),
        busTimeout, cfg.getInt(ConfigKeys.TCP_BRIDGE_MAX_PENDING));
    // Local: reachable only from this node, i.e. through its bridge; no cluster-wide registration.
    MessageConsumer<Object> consumer = vertx.eventBus().localConsumer(ServiceBridge.NOTIFY, notify::handle);

    BridgeOptions permitted = new BridgeOptions().addInboundPermitted(new PermittedOptions().setAddress(ServiceBridge.NOTIFY));
    NetServerOptions server = new NetServerOptions()
        .setIdleTimeout((int) Math.min(Integer.MAX_VALUE, cfg.getLong(ConfigKeys.TCP_BRIDGE_IDLE_TIMEOUT_MS)))
        .setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
    long firstFrameMs = ConnectionGuard.Settings.from(cfg).handshakeTimeoutMs();
    bridge = GatedBridge.create(vertx, permitted, server, this::onEvent, (socket, parser) -> {
      FrameGate gate = new FrameGate(socket, maxFrame, parser, error -> LOG.atDebug()
          .addKeyValue("nodeId", node.nodeId()).addKeyValue("remote", String.valueOf(socket.remoteAddress()))
          .addKeyValue("error", error).log("bridge frame refused"));
      // A service sends its first frame at once; a socket without one by COURIER_HANDSHAKE_TIMEOUT_MS
      // is not a service. Later silence is the idle timeout's (COURIER_TCP_BRIDGE_IDLE_TIMEOUT_MS).
      vertx.setTimer(firstFrameMs, id -> {
        if (!gate.framed()) {
          LOG.atDebug().addKeyValue("nodeId", node.nodeId()).addKeyValue("remote", String.valueOf(socket.remoteAddress()))
              .log("bridge socket closed: no frame within the handshake timeout");
          socket.close();
        }
      });
      return gate;
    });
    String host = cfg.get(ConfigKeys.TCP_BRIDGE_HOST);
    int port = cfg.getInt(ConfigKeys.TCP_BRIDGE_PORT);
    return consumer.completion()
        .compose(v -> bridge.listen(port, host))
        .onSuccess(b -> LOG.atInfo().addKeyValue("nodeId", node.nodeId()).addKeyValue("host", host)
            .addKeyValue("port", port).addKeyValue("sharedSecret", !cfg.get(ConfigKeys.TCP_BRIDGE_SECRET).isEmpty())
            .log("TCP event-bus bridge listening"));
  }

  @Override
  public Future<?> stop() {
    return bridge == null ? Future.succeededFuture() : bridge.close();
  }

  /**
   * The bridge's hook, after {@link FrameGate} and before the permitted-address check. A request to
   * {@code courier.notify} keeps only the string headers it reads (token, secret, service) and gets
   * ours: delivered in this node only, with a timeout longer than ours to delivery. Everything else
   * goes on to the permitted-address check, which refuses it ({@code access_denied}).
   */
  private void onEvent(BridgeEvent event) {
    JsonObject raw = event.getRawMessage();
    if (event.type() == BridgeEventType.SEND && raw != null && ServiceBridge.NOTIFY.equals(raw.getValue("address"))) {
      JsonObject given = raw.getValue("headers") instanceof JsonObject h ? h : new JsonObject();
      JsonObject headers = new JsonObject().put("localOnly", true).put("timeout", requestTimeoutMs);
      for (String name : new String[] {ServiceBridge.HEADER_TOKEN, ServiceBridge.HEADER_SECRET, ServiceBridge.HEADER_SERVICE}) {
        if (given.getValue(name) instanceof String v) {
          headers.put(name, v);
        }
      }
      raw.put("headers", headers);
    }
    event.complete(true);
  }
}
