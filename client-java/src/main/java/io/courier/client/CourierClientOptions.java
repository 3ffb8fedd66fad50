package io.courier.client;

import io.courier.protocol.HttpPaths;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.TrustOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * Settings of a {@link CourierClient}. Every value has a {@code DEFAULT_*} constant; setters are
 * fluent. The object is copied when the client is created, so later changes do not affect it.
 */
public class CourierClientOptions {
  public static final String DEFAULT_HOST = "localhost";
  public static final int DEFAULT_PORT = 8080;
  public static final String DEFAULT_PATH = HttpPaths.WS;
  public static final long DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
  public static final long DEFAULT_WELCOME_TIMEOUT_MS = 10_000;
  public static final long DEFAULT_RECONNECT_BASE_MS = 500;
  public static final long DEFAULT_RECONNECT_CAP_MS = 30_000;
  public static final long DEFAULT_STABLE_CONNECTION_MS = 10_000;
  public static final int DEFAULT_AUTH_RETRIES = 1;
  public static final long DEFAULT_PING_INTERVAL_MS = 15_000;
  public static final long DEFAULT_PONG_TIMEOUT_MS = 10_000;
  public static final long DEFAULT_ACK_DELAY_MS = 10;
  public static final int DEFAULT_OUTBOX_MAX_MESSAGES = 10_000;
  public static final long DEFAULT_OUTBOX_MAX_BYTES = 16L * 1024 * 1024;
  public static final int DEFAULT_MAX_IN_FLIGHT = 256;
  public static final long DEFAULT_SEND_TIMEOUT_MS = 15_000;
  public static final long DEFAULT_SEND_RETRY_BASE_MS = 200;
  public static final long DEFAULT_SEND_RETRY_CAP_MS = 10_000;
  public static final int DEFAULT_MAX_FRAME_BYTES = 65_536;
  public static final int DEFAULT_MAX_INBOUND_MESSAGE_BYTES = 4 * 1024 * 1024;
  public static final int DEFAULT_MAX_BUFFERED_AHEAD = 10_000;
  public static final int DEFAULT_MAX_RECENT_KEYS = 10_000;
  public static final long DEFAULT_GAP_REPAIR_MS = 2_000;
  public static final long DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
  public static final boolean DEFAULT_REFRESH_IN_BAND = true;

  /** One server endpoint. */
  public record Server(String host, int port) {
    @Override
    public String toString() {
      return host + ":" + port;
    }
  }

  private String host = DEFAULT_HOST;
  private int port = DEFAULT_PORT;
  private final List<Server> servers = new ArrayList<>();
  private String path = DEFAULT_PATH;
  private boolean ssl;
  private TrustOptions trustOptions;
  private long connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS;
  private long welcomeTimeoutMs = DEFAULT_WELCOME_TIMEOUT_MS;
  private long reconnectBaseMs = DEFAULT_RECONNECT_BASE_MS;
  private long reconnectCapMs = DEFAULT_RECONNECT_CAP_MS;
  private long stableConnectionMs = DEFAULT_STABLE_CONNECTION_MS;
  private int authRetries = DEFAULT_AUTH_RETRIES;
  private long pingIntervalMs = DEFAULT_PING_INTERVAL_MS;
  private long pongTimeoutMs = DEFAULT_PONG_TIMEOUT_MS;
  private long ackDelayMs = DEFAULT_ACK_DELAY_MS;
  private int outboxMaxMessages = DEFAULT_OUTBOX_MAX_MESSAGES;
  private long outboxMaxBytes = DEFAULT_OUTBOX_MAX_BYTES;
  private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
  private long sendTimeoutMs = DEFAULT_SEND_TIMEOUT_MS;
  private long sendRetryBaseMs = DEFAULT_SEND_RETRY_BASE_MS;
  private long sendRetryCapMs = DEFAULT_SEND_RETRY_CAP_MS;
  private int maxFrameBytes = DEFAULT_MAX_FRAME_BYTES;
  private int maxInboundMessageBytes = DEFAULT_MAX_INBOUND_MESSAGE_BYTES;
  private int maxBufferedAhead = DEFAULT_MAX_BUFFERED_AHEAD;
  private int maxRecentKeys = DEFAULT_MAX_RECENT_KEYS;
  private long gapRepairMs = DEFAULT_GAP_REPAIR_MS;
  private long requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS;
  private boolean refreshInBand = DEFAULT_REFRESH_IN_BAND;
  private String resumeEpoch;
  private long resumeLastSeq;
  private String resumeLastId;
  private long resumeLastTs;

  public CourierClientOptions() {}

  public CourierClientOptions(CourierClientOptions o) {
    host = o.host;
    port = o.port;
    servers.addAll(o.servers);
    path = o.path;
    ssl = o.ssl;
    trustOptions = o.trustOptions == null ? null : o.trustOptions.copy();
    connectTimeoutMs = o.connectTimeoutMs;
    welcomeTimeoutMs = o.welcomeTimeoutMs;
    reconnectBaseMs = o.reconnectBaseMs;
    reconnectCapMs = o.reconnectCapMs;
    stableConnectionMs = o.stableConnectionMs;
    authRetries = o.authRetries;
    pingIntervalMs = o.pingIntervalMs;
    pongTimeoutMs = o.pongTimeoutMs;
    ackDelayMs = o.ackDelayMs;
    outboxMaxMessages = o.outboxMaxMessages;
    outboxMaxBytes = o.outboxMaxBytes;
    maxInFlight = o.maxInFlight;
    sendTimeoutMs = o.sendTimeoutMs;
    sendRetryBaseMs = o.sendRetryBaseMs;
    sendRetryCapMs = o.sendRetryCapMs;
    maxFrameBytes = o.maxFrameBytes;
    maxInboundMessageBytes = o.maxInboundMessageBytes;
    maxBufferedAhead = o.maxBufferedAhead;
    maxRecentKeys = o.maxRecentKeys;
    gapRepairMs = o.gapRepairMs;
    requestTimeoutMs = o.requestTimeoutMs;
    refreshInBand = o.refreshInBand;
    resumeEpoch = o.resumeEpoch;
    resumeLastSeq = o.resumeLastSeq;
    resumeLastId = o.resumeLastId;
    resumeLastTs = o.resumeLastTs;
  }

  /** Checks every value; the client calls this when it is created. */
  public void validate() {
    require(!servers().isEmpty(), "at least one server");
    for (Server s : servers()) {
      require(s.host() != null && !s.host().isBlank(), "server host must not be blank");
      require(s.port() > 0 && s.port() < 65536, "server port must be 1-65535");
    }
    require(path != null && path.startsWith("/"), "path must start with /");
    require(trustOptions == null || ssl, "trust options need ssl (a wss:// URL)");
    require(connectTimeoutMs > 0 && welcomeTimeoutMs > 0, "timeouts must be positive");
    require(reconnectBaseMs > 0 && reconnectCapMs >= reconnectBaseMs, "need 0 < reconnectBaseMs <= reconnectCapMs");
    require(stableConnectionMs >= 0, "stableConnectionMs must be >= 0");
    require(authRetries >= 0, "authRetries must be >= 0");
    require(pingIntervalMs > 0 && pongTimeoutMs > 0, "ping interval and pong timeout must be positive");
    require(ackDelayMs >= 0, "ackDelayMs must be >= 0");
    require(outboxMaxMessages > 0 && outboxMaxBytes > 0, "outbox limits must be positive");
    require(maxInFlight > 0, "maxInFlight must be positive");
    require(sendTimeoutMs > 0, "sendTimeoutMs must be positive");
    require(sendRetryBaseMs > 0 && sendRetryCapMs >= sendRetryBaseMs, "need 0 < sendRetryBaseMs <= sendRetryCapMs");
    require(maxFrameBytes > 0 && maxInboundMessageBytes > 0, "frame limits must be positive");
    require(maxBufferedAhead > 0, "maxBufferedAhead must be positive");
    require(maxRecentKeys > 0, "maxRecentKeys must be positive");
    require(gapRepairMs > 0 && requestTimeoutMs > 0, "gapRepairMs and requestTimeoutMs must be positive");
    require(resumeLastSeq >= 0, "resumeLastSeq must be >= 0");
    require(resumeEpoch != null || resumeLastSeq == 0, "resumeLastSeq needs resumeEpoch");
    require(resumeLastTs >= 0, "resumeLastTs must be >= 0");
  }

  private static void require(boolean ok, String what) {
    if (!ok) {
      throw new IllegalArgumentException("invalid CourierClientOptions: " + what);
    }
  }

  /** The servers to connect to, tried in turn: those added with {@link #addServer}, else host:port. */
  public List<Server> servers() {
    return servers.isEmpty() ? List.of(new Server(host, port)) : List.copyOf(servers);
  }

  public String getHost() {
    return host;
  }

  /** Server host, used when no {@link #addServer servers} were added. */
  public CourierClientOptions setHost(String host) {
    this.host = host;
    return this;
  }

  public int getPort() {
    return port;
  }

  public CourierClientOptions setPort(int port) {
    this.port = port;
    return this;
  }

  /**
   * Adds a server endpoint. With several, each connection attempt takes the next one in turn, so a
   * client whose node goes away reconnects to another (the protocol allows any node).
   */
  public CourierClientOptions addServer(String host, int port) {
    servers.add(new Server(host, port));
    return this;
  }

  public String getPath() {
    return path;
  }

  /** Path of the WebSocket endpoint (default {@value #DEFAULT_PATH}). */
  public CourierClientOptions setPath(String path) {
    this.path = path;
    return this;
  }

  public boolean isSsl() {
    return ssl;
  }

  /** Use {@code wss://}: TLS, with the JVM's default trust unless {@link #setTrustOptions} says otherwise. */
  public CourierClientOptions setSsl(boolean ssl) {
    this.ssl = ssl;
    return this;
  }

  /**
   * Host, port, path and TLS from a URL: {@code ws://host[:port][/path]} or
   * {@code wss://host[:port][/path]} (default ports 80 and 443, default path {@value #DEFAULT_PATH}).
   * A query part is refused: the token goes in the Authorization header.
   */
  public CourierClientOptions setUrl(String url) {
    java.net.URI u;
    try {
      u = new java.net.URI(url);
    } catch (java.net.URISyntaxException | NullPointerException e) {
      throw new IllegalArgumentException("invalid CourierClientOptions: not a URL: " + url);
    }
    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(java.util.Locale.ROOT);
    if (!scheme.equals("ws") && !scheme.equals("wss")) {
      throw new IllegalArgumentException("invalid CourierClientOptions: the URL must start with ws:// or wss://: " + url);
    }
    if (u.getHost() == null || u.getRawQuery() != null || u.getRawFragment() != null || u.getRawUserInfo() != null) {
      throw new IllegalArgumentException("invalid CourierClientOptions: expected ws[s]://host[:port][/path]: " + url);
    }
    ssl = scheme.equals("wss");
    host = u.getHost();
    port = u.getPort() > 0 ? u.getPort() : ssl ? 443 : 80;
    path = u.getRawPath() == null || u.getRawPath().isEmpty() ? DEFAULT_PATH : u.getRawPath();
    return this;
  }

  public TrustOptions getTrustOptions() {
    return trustOptions;
  }

  /**
   * What the client trusts for {@code wss://} instead of the JVM's default trust store, e.g.
   * {@code new PemTrustOptions().addCertPath("ca.pem")} for a private CA or a self-signed certificate.
   */
  public CourierClientOptions setTrustOptions(TrustOptions trustOptions) {
    this.trustOptions = trustOptions;
    return this;
  }

  /** Trusts the PEM certificate(s) in {@code path} (a CA or the server's own certificate) instead of the JVM's default. */
  public CourierClientOptions setTrustPemFile(String path) {
    return setTrustOptions(new PemTrustOptions().addCertPath(path));
  }

  public long getConnectTimeoutMs() {
    return connectTimeoutMs;
  }

  /** TCP connect plus WebSocket upgrade deadline. */
  public CourierClientOptions setConnectTimeoutMs(long ms) {
    this.connectTimeoutMs = ms;
    return this;
  }

  public long getWelcomeTimeoutMs() {
    return welcomeTimeoutMs;
  }

  /** How long after the upgrade the {@code welcome} frame may take before the attempt is abandoned. */
  public CourierClientOptions setWelcomeTimeoutMs(long ms) {
    this.welcomeTimeoutMs = ms;
    return this;
  }

  public long getReconnectBaseMs() {
    return reconnectBaseMs;
  }

  /** Reconnect backoff: the n-th delay is uniform in [0, min(cap, base * 2^n)] (full jitter). */
  public CourierClientOptions setReconnectBaseMs(long ms) {
    this.reconnectBaseMs = ms;
    return this;
  }

  public long getReconnectCapMs() {
    return reconnectCapMs;
  }

  public CourierClientOptions setReconnectCapMs(long ms) {
    this.reconnectCapMs = ms;
    return this;
  }

  public long getStableConnectionMs() {
    return stableConnectionMs;
  }

  /** A connection that lasted this long resets the reconnect backoff to its first step. */
  public CourierClientOptions setStableConnectionMs(long ms) {
    this.stableConnectionMs = ms;
    return this;
  }

  public int getAuthRetries() {
    return authRetries;
  }

  /**
   * How many consecutive handshake 401s are retried (each with a token freshly asked from the
   * supplier) before the client gives up. A supplier that returns the refused token again ends it at
   * once. 403 is never retried.
   */
  public CourierClientOptions setAuthRetries(int n) {
    this.authRetries = n;
    return this;
  }

  public long getPingIntervalMs() {
    return pingIntervalMs;
  }

  /** Interval of application-level {@code ping} frames. */
  public CourierClientOptions setPingIntervalMs(long ms) {
    this.pingIntervalMs = ms;
    return this;
  }

  public long getPongTimeoutMs() {
    return pongTimeoutMs;
  }

  /** After a ping, no frame at all within this long means the connection is dead: reconnect. */
  public CourierClientOptions setPongTimeoutMs(long ms) {
    this.pongTimeoutMs = ms;
    return this;
  }

  public long getAckDelayMs() {
    return ackDelayMs;
  }

  /** Acks are coalesced: one cumulative ack at most this long after a delivery (0: next event-loop turn). */
  public CourierClientOptions setAckDelayMs(long ms) {
    this.ackDelayMs = ms;
    return this;
  }

  public int getOutboxMaxMessages() {
    return outboxMaxMessages;
  }

  /** Sends waiting for their {@code sent}; past it, send fails with {@link OutboxFullException}. */
  public CourierClientOptions setOutboxMaxMessages(int n) {
    this.outboxMaxMessages = n;
    return this;
  }

  public long getOutboxMaxBytes() {
    return outboxMaxBytes;
  }

  /** Total encoded size of the sends waiting in the outbox. */
  public CourierClientOptions setOutboxMaxBytes(long bytes) {
    this.outboxMaxBytes = bytes;
    return this;
  }

  public int getMaxInFlight() {
    return maxInFlight;
  }

  /** Sends written but not yet answered on one connection. 1 gives strict order even across retryable errors. */
  public CourierClientOptions setMaxInFlight(int n) {
    this.maxInFlight = n;
    return this;
  }

  public long getSendTimeoutMs() {
    return sendTimeoutMs;
  }

  /** A written send without an answer this long is written again (same id) on the same connection. */
  public CourierClientOptions setSendTimeoutMs(long ms) {
    this.sendTimeoutMs = ms;
    return this;
  }

  public long getSendRetryBaseMs() {
    return sendRetryBaseMs;
  }

  /** Backoff (full jitter) before resending after {@code unavailable}, {@code overloaded}, {@code internal}, {@code rate_limited}. */
  public CourierClientOptions setSendRetryBaseMs(long ms) {
    this.sendRetryBaseMs = ms;
    return this;
  }

  public long getSendRetryCapMs() {
    return sendRetryCapMs;
  }

  public CourierClientOptions setSendRetryCapMs(long ms) {
    this.sendRetryCapMs = ms;
    return this;
  }

  public int getMaxFrameBytes() {
    return maxFrameBytes;
  }

  /**
   * Largest frame the client writes; bigger sends fail at once with {@code too_large}. Match the
   * server's COURIER_MAX_FRAME_BYTES.
   */
  public CourierClientOptions setMaxFrameBytes(int bytes) {
    this.maxFrameBytes = bytes;
    return this;
  }

  public int getMaxInboundMessageBytes() {
    return maxInboundMessageBytes;
  }

  /** Largest server frame the client accepts (a msg carries a body of up to the server's frame limit). */
  public CourierClientOptions setMaxInboundMessageBytes(int bytes) {
    this.maxInboundMessageBytes = bytes;
    return this;
  }

  public int getMaxBufferedAhead() {
    return maxBufferedAhead;
  }

  /** How far past a gap messages are kept; further ones are dropped and fetched again by sync. */
  public CourierClientOptions setMaxBufferedAhead(int n) {
    this.maxBufferedAhead = n;
    return this;
  }

  public int getMaxRecentKeys() {
    return maxRecentKeys;
  }

  /**
   * How many keys ({@code from} and {@code id}) of delivered messages the client remembers. After
   * an inbox rollback ({@link InboxLoss.Reason#ROLLBACK}) the store's messages are delivered by key
   * until the replay ends: a message whose key is among these is not delivered again.
   */
  public CourierClientOptions setMaxRecentKeys(int n) {
    this.maxRecentKeys = n;
    return this;
  }

  public long getGapRepairMs() {
    return gapRepairMs;
  }

  /** A gap in the inbox that does not fill within this long is repaired with a {@code sync}. */
  public CourierClientOptions setGapRepairMs(long ms) {
    this.gapRepairMs = ms;
    return this;
  }

  public long getRequestTimeoutMs() {
    return requestTimeoutMs;
  }

  /** Deadline of join, leave, presence, watch and unwatch answers. */
  public CourierClientOptions setRequestTimeoutMs(long ms) {
    this.requestTimeoutMs = ms;
    return this;
  }

  public boolean isRefreshInBand() {
    return refreshInBand;
  }

  /** On {@code token_expiring}, ask the supplier for a token and send {@code refresh}. */
  public CourierClientOptions setRefreshInBand(boolean refreshInBand) {
    this.refreshInBand = refreshInBand;
    return this;
  }

  public String getResumeEpoch() {
    return resumeEpoch;
  }

  public long getResumeLastSeq() {
    return resumeLastSeq;
  }

  public String getResumeLastId() {
    return resumeLastId;
  }

  public long getResumeLastTs() {
    return resumeLastTs;
  }

  /**
   * Starts from a saved inbox position (from {@link CourierClient#epoch()} and
   * {@link CourierClient#lastSeq()} of an earlier run) instead of from nothing: messages up to
   * {@code lastSeq} of {@code epoch} are not delivered again. Prefer
   * {@link #setResumeFrom(InboxPosition)}: without the id of the message at {@code lastSeq} the
   * server can tell a rolled-back inbox only when it holds fewer messages than {@code lastSeq}.
   */
  public CourierClientOptions setResumeFrom(String epoch, long lastSeq) {
    return setResumeFrom(new InboxPosition(epoch, lastSeq, null, 0));
  }

  /** Starts from a position saved from {@link CourierClient#position()} of an earlier run. */
  public CourierClientOptions setResumeFrom(InboxPosition position) {
    this.resumeEpoch = position.epoch();
    this.resumeLastSeq = position.lastSeq();
    this.resumeLastId = position.lastId();
    this.resumeLastTs = position.lastTs();
    return this;
  }
}
