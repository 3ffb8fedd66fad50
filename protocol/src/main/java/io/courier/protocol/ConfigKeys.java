package io.courier.protocol;

import java.util.List;

/** Every Courier setting, with its default. The README's configuration table lists exactly these. */
public final class ConfigKeys {
  private ConfigKeys() {}

  // node
  public static final Setting NODE_ID = new Setting("COURIER_NODE_ID", "",
      "This node's id (routing address, logs, metrics). Empty: a random id at start.");
  public static final Setting VERTICLES = new Setting("COURIER_VERTICLES", "connection,delivery,presence",
      "Which verticles this process runs (comma list of connection, delivery, presence).");
  public static final Setting HOST = new Setting("COURIER_HOST", "0.0.0.0",
      "Address the WebSocket/HTTP server binds to.");
  public static final Setting PORT = new Setting("COURIER_PORT", "8080",
      "Port of the WebSocket/HTTP server (0: any free port).");
  public static final Setting MAX_CONNECTIONS = new Setting("COURIER_MAX_CONNECTIONS", "10000",
      "Open connections this node accepts; past it handshakes get 503 with Retry-After. "
          + "courier_connection_capacity_ratio is open connections / this.");
  public static final Setting METRICS_PORT = new Setting("COURIER_METRICS_PORT", "0",
      "Port of a separate HTTP server with GET /metrics and /health/live, on COURIER_HOST. 0: none "
          + "(a node with the connection verticle serves /metrics on COURIER_PORT anyway).");
  public static final Setting GATEWAY_INSTANCES = new Setting("COURIER_GATEWAY_INSTANCES", "0",
      "Connection-verticle instances (event loops serving sockets). 0: one per CPU core.");

  public static final Setting DRAIN_GRACE_MS = new Setting("COURIER_DRAIN_GRACE_MS", "30000",
      "Grace period of a drain (SIGTERM or POST /admin/drain): clients get reconnect with afterMs spread over it; "
          + "connections still open at its end are closed with 1012.");
  public static final Setting HEALTH_TIMEOUT_MS = new Setting("COURIER_HEALTH_TIMEOUT_MS", "2000",
      "How long GET /health/ready waits for its store check before answering 503.");

  public static final Setting LOG_FORMAT = new Setting("COURIER_LOG_FORMAT", "json",
      "Log format: json (one object per line, with nodeId/sessionId/userId fields) or text.");
  public static final Setting LOG_LEVEL = new Setting("COURIER_LOG_LEVEL", "INFO",
      "Root log level.");

  // cluster
  public static final Setting CLUSTER_NAME = new Setting("COURIER_CLUSTER_NAME", "courier",
      "Hazelcast cluster name. Only members with the same name join.");
  public static final Setting CLUSTER_HOST = new Setting("COURIER_CLUSTER_HOST", "127.0.0.1",
      "Interface Hazelcast and the clustered event bus bind to and advertise.");
  public static final Setting CLUSTER_PORT = new Setting("COURIER_CLUSTER_PORT", "5701",
      "Hazelcast member port of this node (the next free one is taken if it is busy).");
  public static final Setting CLUSTER_MEMBERS = new Setting("COURIER_CLUSTER_MEMBERS", "",
      "Comma list of host:port of members to join. Empty: this node forms a cluster of its own and "
          + "never joins another by accident.");
  public static final Setting CLUSTER_CONFIG = new Setting("COURIER_CLUSTER_CONFIG", "",
      "Path of a Hazelcast XML config to start from. Empty: ./cluster.xml if present, else the one in the jar.");

  // auth
  public static final Setting JWT_SECRET = new Setting("COURIER_JWT_SECRET", "",
      "HS256 secret for tokens. Empty: read COURIER_JWT_SECRET_FILE, generating it (with a warning) if absent.");
  public static final Setting JWT_SECRET_FILE = new Setting("COURIER_JWT_SECRET_FILE", "~/.courier/jwt-secret",
      "Where a generated development secret is kept, so `courier token` on this machine signs with it.");
  public static final Setting JWT_LEEWAY_S = new Setting("COURIER_JWT_LEEWAY_S", "5",
      "Clock-skew leeway in seconds for exp/iat/nbf.");
  public static final Setting ALLOWED_ORIGINS = new Setting("COURIER_ALLOWED_ORIGINS", "",
      "Comma list of Origins allowed at the handshake (403 otherwise). Empty: any Origin, with a startup warning. "
          + "Requests without an Origin header (non-browser clients) are allowed.");
  public static final Setting TOKEN_EXPIRING_MS = new Setting("COURIER_TOKEN_EXPIRING_MS", "60000",
      "How long before exp the server sends token_expiring.");

  // connection limits and timing
  public static final Setting MAX_FRAME_BYTES = new Setting("COURIER_MAX_FRAME_BYTES", "65536",
      "Largest client frame accepted; larger gets error too_large. The transport refuses messages past "
          + "max(4x this, this + 1 KiB) with close 1009.");
  public static final Setting HEARTBEAT_MS = new Setting("COURIER_HEARTBEAT_MS", "25000",
      "Interval of server WebSocket pings (welcome.heartbeatMs).");
  public static final Setting IDLE_TIMEOUT_MS = new Setting("COURIER_IDLE_TIMEOUT_MS", "60000",
      "A connection silent (no frame, no pong) this long is closed with 1001.");
  public static final Setting RETRANSMIT_INITIAL_MS = new Setting("COURIER_RETRANSMIT_INITIAL_MS", "5000",
      "First retransmit of an un-acked message; later ones double the interval.");
  public static final Setting RETRANSMIT_MAX_MS = new Setting("COURIER_RETRANSMIT_MAX_MS", "60000",
      "Upper bound of the retransmit interval.");
  public static final Setting MAX_UNACKED = new Setting("COURIER_MAX_UNACKED", "10000",
      "Un-acked live messages kept per connection for retransmit; past it the connection is closed "
          + "with 1013 (the messages stay in the inbox for sync).");
  public static final Setting MAX_PENDING_SENDS = new Setting("COURIER_MAX_PENDING_SENDS", "256",
      "Sends one connection may have waiting for the store; more get error rate_limited (resend later).");
  public static final Setting GAP_WAIT_MS = new Setting("COURIER_GAP_WAIT_MS", "250",
      "How long a connection holds a push that arrived ahead of a missing seq before reading the gap from the store.");
  public static final Setting SYNC_PAGE = new Setting("COURIER_SYNC_PAGE", "500",
      "Messages read from the store per page of a sync replay or gap fill (1-1000).");
  public static final Setting BUS_TIMEOUT_MS = new Setting("COURIER_BUS_TIMEOUT_MS", "10000",
      "Timeout of requests between verticles; a timed-out send answers error unavailable.");

  // store
  public static final Setting STORE = new Setting("COURIER_STORE", "hazelcast",
      "Message store: hazelcast (embedded, in cluster memory) or redis (durable, Redis Streams).");
  public static final Setting REDIS_URL = new Setting("COURIER_REDIS_URL", "redis://127.0.0.1:6379/0",
      "Redis connection string, used when COURIER_STORE=redis.");
  public static final Setting REDIS_POOL = new Setting("COURIER_REDIS_POOL", "16",
      "Redis connections per delivery verticle.");
  public static final Setting DEDUPE_WINDOW_MS = new Setting("COURIER_DEDUPE_WINDOW_MS", "86400000",
      "How long an inbox remembers a (sender, id) so a resend is answered dup instead of stored again.");
  public static final Setting RETENTION_MAX_MESSAGES = new Setting("COURIER_RETENTION_MAX_MESSAGES", "100000",
      "Messages kept per inbox; older ones are dropped (sync reports truncated).");
  public static final Setting RETENTION_MAX_AGE_MS = new Setting("COURIER_RETENTION_MAX_AGE_MS", "604800000",
      "Age after which messages are dropped from an inbox (sync reports truncated).");
  public static final Setting HZ_BACKUP_COUNT = new Setting("COURIER_HZ_BACKUP_COUNT", "1",
      "Synchronous backups of every Hazelcast store and presence entry.");
  public static final Setting DELIVERY_INSTANCES = new Setting("COURIER_DELIVERY_INSTANCES", "1",
      "Delivery-verticle instances in this process.");

  // rooms (docs/protocol.md, "Rooms")
  public static final Setting MAX_ROOMS_PER_USER = new Setting("COURIER_MAX_ROOMS_PER_USER", "100",
      "Rooms one user may be a member of; a join past it gets error forbidden.");
  public static final Setting MAX_ROOM_MEMBERS = new Setting("COURIER_MAX_ROOM_MEMBERS", "10000",
      "Members one room may have; a join past it gets error forbidden. Bounds the work of one room send.");
  public static final Setting ROOM_FANOUT_CHUNK = new Setting("COURIER_ROOM_FANOUT_CHUNK", "256",
      "Member inboxes a room send writes per store round trip (1-10000).");
  public static final Setting ROOM_FANOUT_PARALLELISM = new Setting("COURIER_ROOM_FANOUT_PARALLELISM", "4",
      "Chunks of one room send in flight at once (1-64).");
  public static final Setting ROOM_SENDS_IN_FLIGHT = new Setting("COURIER_ROOM_SENDS_IN_FLIGHT", "2",
      "Room sends one delivery verticle fans out at once (1-64); more wait in arrival order, and one still waiting "
          + "COURIER_BUS_TIMEOUT_MS after it arrived is answered unavailable without being started.");

  // TCP event-bus bridge for services (docs/protocol.md, "Services over the TCP event-bus bridge")
  public static final Setting TCP_BRIDGE_PORT = new Setting("COURIER_TCP_BRIDGE_PORT", "0",
      "Port of the TCP event-bus bridge for services (courier.notify). 0: no bridge.");
  public static final Setting TCP_BRIDGE_HOST = new Setting("COURIER_TCP_BRIDGE_HOST", "127.0.0.1",
      "Address the TCP event-bus bridge binds to.");
  public static final Setting TCP_BRIDGE_SECRET = new Setting("COURIER_TCP_BRIDGE_SECRET", "",
      "Shared secret a service may send in headers.secret (with headers.service naming it) instead of a "
          + "service-role JWT; at least 16 characters. Empty: JWT only.");
  public static final Setting TCP_BRIDGE_MAX_FRAME_BYTES = new Setting("COURIER_TCP_BRIDGE_MAX_FRAME_BYTES", "65536",
      "Largest bridge frame (JSON bytes after the 4-byte length); a longer one gets an err frame and the "
          + "connection is closed.");
  public static final Setting TCP_BRIDGE_IDLE_TIMEOUT_MS = new Setting("COURIER_TCP_BRIDGE_IDLE_TIMEOUT_MS", "300000",
      "A bridge connection that sends nothing (not even a ping frame) this long is closed. 0: never.");
  public static final Setting TCP_BRIDGE_MAX_PENDING = new Setting("COURIER_TCP_BRIDGE_MAX_PENDING", "256",
      "courier.notify requests this node's bridge may have waiting for the store; more are refused with rate_limited.");

  // Browsers (docs/protocol.md, "Browsers over the event-bus bridge")
  public static final Setting WEB_DIR = new Setting("COURIER_WEB_DIR", "",
      "Directory whose files the gateway serves at / ahead of the built-in demo page (e.g. vendored "
          + "browser libraries). Empty: only the built-in files.");

  public static final List<Setting> ALL = List.of(
      NODE_ID, VERTICLES, HOST, PORT, MAX_CONNECTIONS, METRICS_PORT, GATEWAY_INSTANCES, DRAIN_GRACE_MS, HEALTH_TIMEOUT_MS, LOG_FORMAT, LOG_LEVEL,
      CLUSTER_NAME, CLUSTER_HOST, CLUSTER_PORT, CLUSTER_MEMBERS, CLUSTER_CONFIG,
      JWT_SECRET, JWT_SECRET_FILE, JWT_LEEWAY_S, ALLOWED_ORIGINS, TOKEN_EXPIRING_MS,
      MAX_FRAME_BYTES, HEARTBEAT_MS, IDLE_TIMEOUT_MS, RETRANSMIT_INITIAL_MS, RETRANSMIT_MAX_MS,
      MAX_UNACKED, MAX_PENDING_SENDS, GAP_WAIT_MS, SYNC_PAGE, BUS_TIMEOUT_MS,
      STORE, REDIS_URL, REDIS_POOL, DEDUPE_WINDOW_MS, RETENTION_MAX_MESSAGES, RETENTION_MAX_AGE_MS,
      HZ_BACKUP_COUNT, DELIVERY_INSTANCES,
      MAX_ROOMS_PER_USER, MAX_ROOM_MEMBERS, ROOM_FANOUT_CHUNK, ROOM_FANOUT_PARALLELISM, ROOM_SENDS_IN_FLIGHT,
      TCP_BRIDGE_PORT, TCP_BRIDGE_HOST, TCP_BRIDGE_SECRET, TCP_BRIDGE_MAX_FRAME_BYTES, TCP_BRIDGE_IDLE_TIMEOUT_MS,
      TCP_BRIDGE_MAX_PENDING, WEB_DIR);
}
