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
  public static final Setting MAX_PENDING_HANDSHAKES = new Setting("COURIER_MAX_PENDING_HANDSHAKES", "1000",
      "Sockets this node holds that are not yet an authenticated connection (TCP accepted, upgrade or bridge "
          + "authentication not done; plain HTTP connections such as health checks count too). At it the node stops "
          + "accepting: new sockets wait in the kernel's accept queue (the listen backlog) and are taken in order as places "
          + "free, so a reconnect wave queues instead of failing. Bounds the file descriptors clients without a token can take.");
  public static final Setting HANDSHAKE_TIMEOUT_MS = new Setting("COURIER_HANDSHAKE_TIMEOUT_MS", "10000",
      "A socket must finish its WebSocket upgrade with a valid token (or a bridge socket authenticate, or an HTTP "
          + "request arrive whole) within this long of being accepted, or it is closed. Also the TLS handshake timeout.");
  public static final Setting HTTP_IDLE_TIMEOUT_MS = new Setting("COURIER_HTTP_IDLE_TIMEOUT_MS", "30000",
      "A keep-alive HTTP connection (health, metrics, admin; on COURIER_PORT and COURIER_METRICS_PORT) with no "
          + "request this long after its last response is closed. Never applies to open WebSocket connections.");
  public static final Setting METRICS_PORT = new Setting("COURIER_METRICS_PORT", "0",
      "Port of a separate HTTP server with GET /metrics and /health/live, on COURIER_HOST. 0: none "
          + "(a node with the connection verticle serves /metrics on COURIER_PORT anyway).");
  public static final Setting GATEWAY_INSTANCES = new Setting("COURIER_GATEWAY_INSTANCES", "0",
      "Connection-verticle instances (event loops serving sockets). 0: one per CPU core.");
  public static final Setting TRANSPORT = new Setting("COURIER_TRANSPORT", "auto",
      "Network transport of every socket: auto (Linux's epoll when its native library loads, else Java NIO), "
          + "epoll, io_uring or nio. A transport named but not available stops the node with the reason.");

  public static final Setting DRAIN_GRACE_MS = new Setting("COURIER_DRAIN_GRACE_MS", "30000",
      "Grace period of a drain (SIGTERM or POST /admin/drain): clients get reconnect with afterMs spread over it; "
          + "connections still open at its end are closed with 1012.");
  public static final Setting HEALTH_TIMEOUT_MS = new Setting("COURIER_HEALTH_TIMEOUT_MS", "2000",
      "How long GET /health/ready waits for its store check before answering 503.");
  public static final Setting WARMUP_MS = new Setting("COURIER_WARMUP_MS", "5000",
      "Warm-up at start, before the node joins its cluster, opens its port or reports ready: this long, loopback clients "
          + "chat through a throwaway node of the same code in the same JVM (its own cluster, store and metrics, closed "
          + "afterwards), so the JIT has compiled the hot path before real clients arrive. Adds this plus a few seconds "
          + "to the start (on a slow core the clients go on until each has had a message through, at most 30 s more). "
          + "0: off. At most 60000.");

  public static final Setting LOG_FORMAT = new Setting("COURIER_LOG_FORMAT", "json",
      "Log format: json (one object per line, with nodeId/sessionId/userId fields) or text.");
  public static final Setting LOG_LEVEL = new Setting("COURIER_LOG_LEVEL", "INFO",
      "Root log level.");

  // cluster
  public static final Setting CLUSTER_NAME = new Setting("COURIER_CLUSTER_NAME", "courier",
      "Hazelcast cluster name. Only members with the same name join.");
  public static final Setting CLUSTER_HOST = new Setting("COURIER_CLUSTER_HOST", "127.0.0.1",
      "IP address of this host's interface that Hazelcast and the clustered event bus listen on (only there, "
          + "never on all interfaces) and that other members connect to: a private address (container or pod IP).");
  public static final Setting CLUSTER_PORT = new Setting("COURIER_CLUSTER_PORT", "5701",
      "Hazelcast member port of this node (the next free one is taken if it is busy).");
  public static final Setting CLUSTER_MEMBERS = new Setting("COURIER_CLUSTER_MEMBERS", "",
      "Comma list of host:port of members to join. Empty: this node forms a cluster of its own and "
          + "never joins another by accident.");
  public static final Setting CLUSTER_CONFIG = new Setting("COURIER_CLUSTER_CONFIG", "",
      "Path of a Hazelcast XML config to start from. Empty: ./cluster.xml if present, else the one in the jar.");
  public static final Setting CLUSTER_BUS_PORT = new Setting("COURIER_CLUSTER_BUS_PORT", "0",
      "Port of the clustered event bus on COURIER_CLUSTER_HOST. 0: any free port (several nodes on one host); "
          + "fix it where a firewall or NetworkPolicy must name it.");
  public static final Setting CLUSTER_TLS_CERT_FILE = new Setting("COURIER_CLUSTER_TLS_CERT_FILE", "",
      "PEM certificate (chain) of this node for the clustered event bus. With COURIER_CLUSTER_TLS_KEY_FILE and "
          + "COURIER_CLUSTER_TLS_CA_FILE, bus traffic between nodes is TLS with mutual authentication. Empty: plain TCP.");
  public static final Setting CLUSTER_TLS_KEY_FILE = new Setting("COURIER_CLUSTER_TLS_KEY_FILE", "",
      "PEM private key (PKCS#8) of COURIER_CLUSTER_TLS_CERT_FILE.");
  public static final Setting CLUSTER_TLS_CA_FILE = new Setting("COURIER_CLUSTER_TLS_CA_FILE", "",
      "PEM certificate(s) of the CA that signs every node's bus certificate: a node accepts bus connections "
          + "only from, and connects only to, nodes with a certificate it signed. Use a CA of its own for the cluster.");

  // auth
  public static final Setting JWT_SECRET = new Setting("COURIER_JWT_SECRET", "",
      "HS256 secret for tokens, at least 32 bytes (a shorter one stops the start). Empty: read COURIER_JWT_SECRET_FILE, "
          + "generating it (with a warning) if absent.");
  public static final Setting JWT_SECRET_FILE = new Setting("COURIER_JWT_SECRET_FILE", "~/.courier/jwt-secret",
      "Where a generated development secret is kept, so `courier token` on this machine signs with it. A secret read "
          + "from it must have at least 32 bytes too.");
  public static final Setting JWT_LEEWAY_S = new Setting("COURIER_JWT_LEEWAY_S", "5",
      "Clock-skew leeway in seconds for exp/iat/nbf.");
  public static final Setting ALLOWED_ORIGINS = new Setting("COURIER_ALLOWED_ORIGINS", "",
      "Comma list of Origins allowed at the handshake (403 otherwise). Empty: any Origin, with a startup warning. "
          + "Requests without an Origin header (non-browser clients) are allowed.");
  public static final Setting TOKEN_EXPIRING_MS = new Setting("COURIER_TOKEN_EXPIRING_MS", "60000",
      "How long before exp the server sends token_expiring.");
  public static final Setting JWT_ALGORITHMS = new Setting("COURIER_JWT_ALGORITHMS", "HS256",
      "Token signature algorithms accepted (comma list of HS256, RS256, ES256); a token signed with another gets 401. "
          + "RS256/ES256 need COURIER_JWT_PUBLIC_KEY_FILE or COURIER_JWT_JWKS_FILE; HS256 uses the secret.");
  public static final Setting JWT_PUBLIC_KEY_FILE = new Setting("COURIER_JWT_PUBLIC_KEY_FILE", "",
      "PEM file of one or more public keys (PUBLIC KEY) or X.509 certificates (CERTIFICATE) that verify RS256 "
          + "(RSA keys) and ES256 (EC P-256 keys) tokens. Read at start.");
  public static final Setting JWT_JWKS_FILE = new Setting("COURIER_JWT_JWKS_FILE", "",
      "JWKS file ({\"keys\":[...]}) of RSA and EC P-256 public keys; a token's kid selects the key. Read at start.");
  public static final Setting JWT_MAX_LIFETIME_S = new Setting("COURIER_JWT_MAX_LIFETIME_S", "86400",
      "Longest token lifetime accepted: exp - iat (exp - now without iat) beyond it gets 401. Revocations are kept "
          + "this long (plus twice the leeway and 1 s), so none expires before a token it covers. Same value on every node.");
  public static final Setting JWT_AUDIENCE = new Setting("COURIER_JWT_AUDIENCE", "",
      "Comma list of accepted token audiences: when set, a token whose aud (a string or an array) names none of them "
          + "gets 401 token audience, everywhere a token is verified. `courier token` puts the first in aud. Empty: aud "
          + "is not checked.");
  public static final Setting JWT_ISSUER = new Setting("COURIER_JWT_ISSUER", "",
      "Comma list of accepted token issuers: when set, a token whose iss is none of them gets 401 token issuer, "
          + "everywhere a token is verified. `courier token` puts the first in iss. Empty: iss is not checked.");
  public static final Setting MAX_CONNECTIONS_PER_USER = new Setting("COURIER_MAX_CONNECTIONS_PER_USER", "32",
      "Open connections one user may hold in the whole cluster (its presence devices, /ws and bridge); a handshake "
          + "past it gets 429 with Retry-After, the open ones stay. 0: no limit.");
  public static final Setting TLS_CERT_FILE = new Setting("COURIER_TLS_CERT_FILE", "",
      "PEM certificate chain of the gateway's HTTPS/WSS server. With COURIER_TLS_KEY_FILE, COURIER_PORT serves TLS "
          + "only (wss://, https://). Empty: plain HTTP.");
  public static final Setting TLS_KEY_FILE = new Setting("COURIER_TLS_KEY_FILE", "",
      "PEM private key (PKCS#8, PKCS#1 or SEC1, unencrypted) of COURIER_TLS_CERT_FILE.");

  // connection limits and timing
  public static final Setting MAX_FRAME_BYTES = new Setting("COURIER_MAX_FRAME_BYTES", "65536",
      "Largest client frame accepted; larger gets error too_large. The transport refuses messages past "
          + "max(4x this, this + 1 KiB) with close 1009.");
  public static final Setting HEARTBEAT_MS = new Setting("COURIER_HEARTBEAT_MS", "25000",
      "Interval of server WebSocket pings (welcome.heartbeatMs).");
  public static final Setting IDLE_TIMEOUT_MS = new Setting("COURIER_IDLE_TIMEOUT_MS", "0",
      "A connection silent this long (no frame of any kind: no pong, no ping, no message) is closed with 1001 and "
          + "released. 0: twice COURIER_HEARTBEAT_MS, so a client that vanished without closing is detected within "
          + "2 heartbeat intervals. When set, keep it above COURIER_HEARTBEAT_MS (the node warns otherwise).");
  public static final Setting CLOSE_TIMEOUT_MS = new Setting("COURIER_CLOSE_TIMEOUT_MS", "5000",
      "After the server sends a close frame, how long it waits for the client's close before dropping the TCP "
          + "connection (a client that stopped reading never sees the close frame).");
  public static final Setting RETRANSMIT_INITIAL_MS = new Setting("COURIER_RETRANSMIT_INITIAL_MS", "5000",
      "First retransmit of an un-acked message; later ones double the interval.");
  public static final Setting RETRANSMIT_MAX_MS = new Setting("COURIER_RETRANSMIT_MAX_MS", "60000",
      "Upper bound of the retransmit interval.");
  public static final Setting MAX_UNACKED = new Setting("COURIER_MAX_UNACKED", "10000",
      "Un-acked live messages kept per connection for retransmit; past it the connection is closed "
          + "with 1013 (the messages stay in the inbox for sync).");
  public static final Setting MAX_PENDING_SENDS = new Setting("COURIER_MAX_PENDING_SENDS", "256",
      "Sends one connection may have waiting for the store; more get error rate_limited (resend later).");
  public static final Setting MAX_OUTBOUND_BYTES = new Setting("COURIER_MAX_OUTBOUND_BYTES", "262144",
      "Bytes of server frames one connection may have queued in the server (written, not yet taken by the kernel); "
          + "past it the client is not reading fast enough and is closed with 1013 (its messages stay in the inbox: sync). 0: no limit.");
  public static final Setting MAX_OUTBOUND_FRAMES = new Setting("COURIER_MAX_OUTBOUND_FRAMES", "1024",
      "Server frames one connection may have queued, as COURIER_MAX_OUTBOUND_BYTES but counted in frames. 0: no limit.");
  public static final Setting TCP_SEND_BUFFER_BYTES = new Setting("COURIER_TCP_SEND_BUFFER_BYTES", "0",
      "SO_SNDBUF of client connections. 0: the OS default (autotuned, up to net.ipv4.tcp_wmem's maximum). "
          + "A smaller buffer makes a client that stops reading reach COURIER_MAX_OUTBOUND_BYTES sooner.");

  // rate limits (docs/protocol.md §4a)
  public static final Setting CONN_FRAMES_PER_S = new Setting("COURIER_CONN_FRAMES_PER_S", "200",
      "Client frames per second one connection may send (token bucket; every frame counts). Past it: "
          + "error rate_limited. 0: no limit.");
  public static final Setting CONN_FRAMES_BURST = new Setting("COURIER_CONN_FRAMES_BURST", "1000",
      "Bucket size of COURIER_CONN_FRAMES_PER_S: frames a quiet connection may send at once.");
  public static final Setting CONN_BYTES_PER_S = new Setting("COURIER_CONN_BYTES_PER_S", "1048576",
      "Client bytes per second one connection may send (UTF-8 bytes of its frames). Past it: error rate_limited. "
          + "0: no limit.");
  public static final Setting CONN_BYTES_BURST = new Setting("COURIER_CONN_BYTES_BURST", "4194304",
      "Bucket size of COURIER_CONN_BYTES_PER_S; at least COURIER_MAX_FRAME_BYTES.");
  public static final Setting USER_SENDS_PER_S = new Setting("COURIER_USER_SENDS_PER_S", "100",
      "send frames per second one user may make, over all its connections on all nodes. Past it: error "
          + "rate_limited. 0: no limit.");
  public static final Setting USER_SENDS_BURST = new Setting("COURIER_USER_SENDS_BURST", "1000",
      "Bucket size of COURIER_USER_SENDS_PER_S (one cluster-wide bucket per user).");
  public static final Setting USER_SENDS_LEASE = new Setting("COURIER_USER_SENDS_LEASE", "20",
      "Tokens a gateway takes from a user's cluster-wide bucket at once and spends locally (one cluster call per "
          + "this many sends). 1: exact, one call per send.");
  public static final Setting RATE_STRIKES = new Setting("COURIER_RATE_STRIKES", "50",
      "rate_limited answers (from the frame, byte and user limits) within COURIER_RATE_STRIKE_WINDOW_MS after "
          + "which the connection is closed with 1008. 0: never close.");
  public static final Setting RATE_STRIKE_WINDOW_MS = new Setting("COURIER_RATE_STRIKE_WINDOW_MS", "10000",
      "Window of COURIER_RATE_STRIKES.");

  // JSON limits of client frames (docs/protocol.md §4)
  public static final Setting MAX_JSON_DEPTH = new Setting("COURIER_MAX_JSON_DEPTH", "32",
      "Deepest nesting of objects and arrays in a client frame (the frame object is level 1); deeper: error bad_frame.");
  public static final Setting MAX_JSON_FIELDS = new Setting("COURIER_MAX_JSON_FIELDS", "16384",
      "Object members plus array elements in a client frame, all levels counted; more: error bad_frame.");
  public static final Setting MAX_JSON_KEY_CHARS = new Setting("COURIER_MAX_JSON_KEY_CHARS", "256",
      "Longest object member name in a client frame, in characters; longer: error bad_frame.");
  public static final Setting MAX_JSON_STRING_CHARS = new Setting("COURIER_MAX_JSON_STRING_CHARS", "65536",
      "Longest string value in a client frame, in characters; longer: error bad_frame.");
  public static final Setting GAP_WAIT_MS = new Setting("COURIER_GAP_WAIT_MS", "250",
      "How long a connection holds a push that arrived ahead of a missing seq before reading the gap from the store.");
  public static final Setting SYNC_PAGE = new Setting("COURIER_SYNC_PAGE", "500",
      "Messages read from the store per page of a sync replay or gap fill (1-1000).");
  public static final Setting BUS_TIMEOUT_MS = new Setting("COURIER_BUS_TIMEOUT_MS", "10000",
      "Timeout of requests between verticles; a timed-out send answers error unavailable.");

  // store
  public static final Setting STORE = new Setting("COURIER_STORE", "hazelcast",
      "Message store: hazelcast (embedded, in the cluster's memory only: lost when the last member stops) or redis "
          + "(Redis Streams, as durable as Redis is configured: AOF with appendfsync always).");
  public static final Setting REDIS_URL = new Setting("COURIER_REDIS_URL", "redis://127.0.0.1:6379/0",
      "Redis connection string, used when COURIER_STORE=redis: redis://[user:password@]host:port/db (an empty user: "
          + "requirepass; a user: an ACL user), rediss:// for TLS. Printed with the password as ***. Refused credentials "
          + "stop the node at start.");
  public static final Setting REDIS_TLS_CA_FILE = new Setting("COURIER_REDIS_TLS_CA_FILE", "",
      "PEM certificate(s) of the CA that signed the Redis server's certificate, for a rediss:// COURIER_REDIS_URL "
          + "(the server's name is checked against it). Empty: the JVM's trusted CAs.");
  public static final Setting REDIS_POOL = new Setting("COURIER_REDIS_POOL", "4",
      "Redis connections per delivery verticle (1-64), opened at start and kept; calls are spread over them "
          + "round-robin, many at once on each (pipelined). A lost connection is reopened, with backoff while that fails.");
  public static final Setting REDIS_MAX_IN_FLIGHT = new Setting("COURIER_REDIS_MAX_IN_FLIGHT", "1024",
      "Redis commands one connection carries at once, sent and not yet answered (1-65536); a store call past it "
          + "fails at once and the client is answered unavailable. Larger batches (room fan-out, room delete) go in parts "
          + "of this size.");
  public static final Setting DEDUPE_WINDOW_MS = new Setting("COURIER_DEDUPE_WINDOW_MS", "86400000",
      "How long an inbox remembers a (sender, id) so a resend is answered dup instead of stored again.");
  public static final Setting RETENTION_MAX_MESSAGES = new Setting("COURIER_RETENTION_MAX_MESSAGES", "100000",
      "Messages kept per inbox; older ones are dropped (sync reports truncated).");
  public static final Setting RETENTION_MAX_AGE_MS = new Setting("COURIER_RETENTION_MAX_AGE_MS", "604800000",
      "Age after which messages are dropped from an inbox (sync reports truncated).");
  public static final Setting RETENTION_MAX_BYTES = new Setting("COURIER_RETENTION_MAX_BYTES", "67108864",
      "Body bytes (UTF-8) kept per inbox; the oldest messages are dropped until the rest fit (sync reports "
          + "truncated); the newest message is always kept. 0: no byte limit.");
  public static final Setting STORE_MAX_HEAP_FRACTION = new Setting("COURIER_STORE_MAX_HEAP_FRACTION", "0.6",
      "Hazelcast store only: share of this JVM's heap for long-lived objects (the old generation's max size with "
          + "the Serial and Parallel collectors, all of -Xmx with G1) its inbox replicas (owned and backup) may take; "
          + "past it a send to an inbox this member owns gets error overloaded (docs/operations.md, \"Memory\"). "
          + "0: no budget.");
  public static final Setting STORE_ADMISSION_MS = new Setting("COURIER_STORE_ADMISSION_MS", "1000",
      "Admission control for sends: a delivery instance lets at most as many sends wait on its store as the store "
          + "answers in this many ms (at its best second of the last ten); while the store is behind (its answers take over "
          + "half of this, or none come), a send past that bound gets error overloaded at once instead of waiting "
          + "until it times out. 0: off.");
  public static final Setting STORE_ADMISSION_MIN = new Setting("COURIER_STORE_ADMISSION_MIN", "64",
      "Sends a delivery instance always lets wait on its store, whatever COURIER_STORE_ADMISSION_MS says (at least 1).");
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
  // presence (docs/protocol.md §11, docs/architecture.md §6)
  public static final Setting PRESENCE_MAX_USERS = new Setting("COURIER_PRESENCE_MAX_USERS", "500",
      "Users one presence request may ask about; more get error bad_frame.");
  public static final Setting WATCH_MAX_USERS = new Setting("COURIER_WATCH_MAX_USERS", "1000",
      "Users one connection may watch at a time; a watch frame that would pass it gets error rate_limited "
          + "and watches none of its users.");
  public static final Setting PRESENCE_LEASE_MS = new Setting("COURIER_PRESENCE_LEASE_MS", "30000",
      "Lifetime of a gateway node's presence lease, renewed every third of it. The devices and watches of a "
          + "member that left the cluster and holds no lease are purged by the next sweep.");
  public static final Setting PRESENCE_SWEEP_MS = new Setting("COURIER_PRESENCE_SWEEP_MS", "30000",
      "How often each presence verticle looks for devices and watches of departed members without a lease "
          + "(the backstop for a missed member-removed event).");
  public static final Setting PRESENCE_RECONCILE_MS = new Setting("COURIER_PRESENCE_RECONCILE_MS", "30000",
      "How often a gateway node re-reads the presence of every user its connections watch and pushes what a "
          + "lost notification left out. 0: never.");

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
      NODE_ID, VERTICLES, HOST, PORT, MAX_CONNECTIONS, MAX_PENDING_HANDSHAKES, HANDSHAKE_TIMEOUT_MS,
      HTTP_IDLE_TIMEOUT_MS, METRICS_PORT, GATEWAY_INSTANCES, TRANSPORT, DRAIN_GRACE_MS, HEALTH_TIMEOUT_MS, WARMUP_MS,
      LOG_FORMAT, LOG_LEVEL,
      CLUSTER_NAME, CLUSTER_HOST, CLUSTER_PORT, CLUSTER_MEMBERS, CLUSTER_CONFIG, CLUSTER_BUS_PORT,
      CLUSTER_TLS_CERT_FILE, CLUSTER_TLS_KEY_FILE, CLUSTER_TLS_CA_FILE,
      JWT_SECRET, JWT_SECRET_FILE, JWT_LEEWAY_S, ALLOWED_ORIGINS, TOKEN_EXPIRING_MS,
      JWT_ALGORITHMS, JWT_PUBLIC_KEY_FILE, JWT_JWKS_FILE, JWT_MAX_LIFETIME_S, JWT_AUDIENCE, JWT_ISSUER,
      MAX_CONNECTIONS_PER_USER,
      TLS_CERT_FILE, TLS_KEY_FILE,
      MAX_FRAME_BYTES, HEARTBEAT_MS, IDLE_TIMEOUT_MS, CLOSE_TIMEOUT_MS, RETRANSMIT_INITIAL_MS, RETRANSMIT_MAX_MS,
      MAX_UNACKED, MAX_PENDING_SENDS, MAX_OUTBOUND_BYTES, MAX_OUTBOUND_FRAMES, TCP_SEND_BUFFER_BYTES,
      CONN_FRAMES_PER_S, CONN_FRAMES_BURST, CONN_BYTES_PER_S, CONN_BYTES_BURST,
      USER_SENDS_PER_S, USER_SENDS_BURST, USER_SENDS_LEASE, RATE_STRIKES, RATE_STRIKE_WINDOW_MS,
      MAX_JSON_DEPTH, MAX_JSON_FIELDS, MAX_JSON_KEY_CHARS, MAX_JSON_STRING_CHARS,
      GAP_WAIT_MS, SYNC_PAGE, BUS_TIMEOUT_MS,
      STORE, REDIS_URL, REDIS_TLS_CA_FILE, REDIS_POOL, REDIS_MAX_IN_FLIGHT, DEDUPE_WINDOW_MS, RETENTION_MAX_MESSAGES, RETENTION_MAX_AGE_MS,
      RETENTION_MAX_BYTES, STORE_MAX_HEAP_FRACTION, STORE_ADMISSION_MS, STORE_ADMISSION_MIN, HZ_BACKUP_COUNT, DELIVERY_INSTANCES,
      MAX_ROOMS_PER_USER, MAX_ROOM_MEMBERS, ROOM_FANOUT_CHUNK, ROOM_FANOUT_PARALLELISM, ROOM_SENDS_IN_FLIGHT,
      TCP_BRIDGE_PORT, TCP_BRIDGE_HOST, TCP_BRIDGE_SECRET, TCP_BRIDGE_MAX_FRAME_BYTES, TCP_BRIDGE_IDLE_TIMEOUT_MS,
      TCP_BRIDGE_MAX_PENDING, WEB_DIR,
      PRESENCE_MAX_USERS, WATCH_MAX_USERS, PRESENCE_LEASE_MS, PRESENCE_SWEEP_MS, PRESENCE_RECONCILE_MS);
}
