package io.courier.cluster;

import com.hazelcast.config.AdvancedNetworkConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.config.ServerSocketEndpointConfig;
import com.hazelcast.config.XmlConfigBuilder;
import com.hazelcast.instance.EndpointQualifier;
import com.hazelcast.spi.properties.ClusterProperty;
import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Builds the Hazelcast member config from cluster.xml plus Courier's settings, and starts a
 * clustered Vert.x on it. Joining is TCP-IP only, to the members named in
 * {@code COURIER_CLUSTER_MEMBERS}; with none named the node forms a cluster of its own, so two
 * unrelated nodes on one machine never merge by accident.
 */
public final class ClusterSetup {
  private ClusterSetup() {}

  public static Config hazelcastConfig(CourierConfig cfg, String nodeId) {
    Config hz = loadXml(cfg);
    hz.setClusterName(cfg.get(ConfigKeys.CLUSTER_NAME));
    hz.setProperty("hazelcast.phone.home.enabled", "false");
    hz.setProperty("hazelcast.wait.seconds.before.join", "0");
    hz.setProperty("hazelcast.logging.type", "slf4j");
    hz.setProperty("hazelcast.shutdownhook.enabled", "false");
    hz.getMemberAttributeConfig().setAttribute(Maps.NODE_ID_ATTRIBUTE, nodeId);

    memberEndpointOnly(hz, cfg);
    JoinConfig join = hz.getAdvancedNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).getMembers().clear();
    for (String member : cfg.getList(ConfigKeys.CLUSTER_MEMBERS)) {
      join.getTcpIpConfig().addMember(member);
    }

    int backups = cfg.getInt(ConfigKeys.HZ_BACKUP_COUNT);
    // OBJECT: purges and sweeps visit every entry; stored as objects they are not deserialized for it.
    hz.addMapConfig(new MapConfig(Maps.PRESENCE).setBackupCount(backups).setInMemoryFormat(InMemoryFormat.OBJECT));
    hz.addMapConfig(new MapConfig(Maps.PRESENCE_LEASES).setBackupCount(backups));
    // Small and read by every node's listener: values as objects, entries expire by their own TTL.
    hz.addMapConfig(new MapConfig(Maps.REVOCATIONS).setBackupCount(backups).setInMemoryFormat(InMemoryFormat.OBJECT));
    // OBJECT: appends change the inbox in place on the partition's thread, O(1) whatever its size;
    // BINARY would deserialize and serialize the whole inbox on every call.
    hz.addMapConfig(new MapConfig(Maps.INBOXES).setBackupCount(backups).setInMemoryFormat(InMemoryFormat.OBJECT));
    hz.addMapConfig(new MapConfig(Maps.ROOM_MEMBERS).setBackupCount(backups));
    hz.addMapConfig(new MapConfig(Maps.USER_ROOMS).setBackupCount(backups));
    // Losing a member's buckets only refills them early: no backups, and processed in object form.
    hz.addMapConfig(new MapConfig(Maps.USER_SEND_BUCKETS).setBackupCount(0)
        .setInMemoryFormat(InMemoryFormat.OBJECT));
    return hz;
  }

  /**
   * The member port serves the member protocol only, on the cluster host only. Hazelcast's plain
   * network config serves members, clients (and REST/memcache when enabled) on one port and binds it
   * to every interface ({@code hazelcast.socket.server.bind.any}, after {@code hazelcast.socket.bind.any}, defaults to true) whatever interface it is
   * told to use: anyone who reached it with the cluster name could open a client and read every map.
   * The advanced network config with a member endpoint and nothing else refuses any other protocol
   * on that port, and with server bind-any off the socket listens on the cluster host alone.
   */
  private static void memberEndpointOnly(Config hz, CourierConfig cfg) {
    String host = cfg.get(ConfigKeys.CLUSTER_HOST).trim();
    // Only the listening socket is narrowed. The parent property (hazelcast.socket.bind.any) would
    // also bind every outgoing member connection to the cluster host; outgoing sockets listen on
    // nothing, and with it, measured with two members on one core, every message crossing members
    // got markedly slower (p99 at 2,000 msg/s 130 ms -> 280-1,200 ms, docs/benchmarks.md section 3).
    hz.setProperty(ClusterProperty.SOCKET_SERVER_BIND_ANY.getName(), "false");
    ServerSocketEndpointConfig member = new ServerSocketEndpointConfig();
    member.setPort(cfg.getInt(ConfigKeys.CLUSTER_PORT)).setPortAutoIncrement(true).setPortCount(100);
    member.setPublicAddress(null);
    member.getInterfaces().clear();
    member.getInterfaces().setEnabled(true).addInterface(host);
    AdvancedNetworkConfig advanced = hz.getAdvancedNetworkConfig();
    // The XML's join settings (timeouts and the like) carry over; Courier sets the members after.
    JoinConfig join = advanced.isEnabled() ? advanced.getJoin() : hz.getNetworkConfig().getJoin();
    // Whatever endpoints a cluster.xml declared (client, REST, memcache, WAN), only the member one stays.
    advanced.setEndpointConfigs(new HashMap<>(Map.of(EndpointQualifier.MEMBER, member)));
    advanced.setJoin(join).setEnabled(true);
    // The plain network config is not used with the advanced one; kept consistent for anyone reading it.
    NetworkConfig net = hz.getNetworkConfig();
    net.setPort(member.getPort()).setPortAutoIncrement(true).setPortCount(100);
    net.getInterfaces().clear();
    net.getInterfaces().setEnabled(true).addInterface(host);
    net.setPublicAddress(null);
  }

  /** cluster.xml from COURIER_CLUSTER_CONFIG, else ./cluster.xml, else the copy in the jar. */
  static Config loadXml(CourierConfig cfg) {
    try {
      Path explicit = cfg.isSet(ConfigKeys.CLUSTER_CONFIG) ? cfg.getPath(ConfigKeys.CLUSTER_CONFIG) : null;
      if (explicit != null) {
        if (!Files.isRegularFile(explicit)) {
          throw new IllegalArgumentException(ConfigKeys.CLUSTER_CONFIG.env() + ": no file at " + explicit);
        }
        try (InputStream in = Files.newInputStream(explicit)) {
          return new XmlConfigBuilder(in).build();
        }
      }
      Path local = Path.of("cluster.xml");
      if (Files.isRegularFile(local)) {
        try (InputStream in = Files.newInputStream(local)) {
          return new XmlConfigBuilder(in).build();
        }
      }
      try (InputStream in = ClusterSetup.class.getClassLoader().getResourceAsStream("cluster.xml")) {
        if (in != null) {
          return new XmlConfigBuilder(in).build();
        }
      }
      // Without any cluster.xml, Vert.x's bundled defaults carry the structures it needs.
      return io.vertx.spi.cluster.hazelcast.ConfigUtil.loadConfig();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the cluster config: " + e.getMessage(), e);
    }
  }

  /**
   * Hazelcast runs callbacks registered without an executor (its own and those of libraries such as
   * the Vert.x cluster manager) on a default executor that, when the common fork-join pool has a
   * parallelism of 1 (any machine with two cores or fewer, or a process pinned to one), starts a
   * new thread per callback. Under load that is thousands of threads started per second on the
   * partition threads. Courier's own calls never use it ({@link HazelcastFutures}); for everything
   * else this keeps the same semantics (any number of callbacks may block at once, so nothing can
   * deadlock waiting for a free thread) but reuses idle threads instead of starting one per
   * callback. Hazelcast exposes the setter in an internal class, which is why this lives here, in
   * one place.
   */
  static synchronized void boundHazelcastCallbacks() {
    if (java.util.concurrent.ForkJoinPool.getCommonPoolParallelism() > 1 || callbackPool != null) {
      return;
    }
    java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
    callbackPool = java.util.concurrent.Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "courier-hz-callback-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    com.hazelcast.internal.util.ConcurrencyUtil.setDefaultAsyncExecutor(callbackPool);
  }

  private static java.util.concurrent.ExecutorService callbackPool;

  /** A started clustered Vert.x together with its cluster manager (for Hazelcast access). */
  public record Started(Vertx vertx, HazelcastClusterManager clusterManager, PrometheusMeterRegistry metrics) {}

  /**
   * The clustered event bus listens on the cluster host only (the port of COURIER_CLUSTER_BUS_PORT,
   * 0 for any) and, with COURIER_CLUSTER_TLS_*, speaks TLS with mutual authentication.
   */
  static EventBusOptions busOptions(CourierConfig cfg, EventBusOptions base) {
    int port = cfg.getInt(ConfigKeys.CLUSTER_BUS_PORT);
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(ConfigKeys.CLUSTER_BUS_PORT.env() + " must be 0-65535, got " + port);
    }
    if (port != 0 && port == cfg.getInt(ConfigKeys.CLUSTER_PORT)) {
      throw new IllegalArgumentException(ConfigKeys.CLUSTER_BUS_PORT.env() + " must differ from "
          + ConfigKeys.CLUSTER_PORT.env() + " (" + port + "), the Hazelcast member port");
    }
    EventBusOptions bus = new EventBusOptions(base).setHost(checkClusterHost(cfg)).setPort(port);
    ClusterBusTls.configure(bus, cfg);
    return bus;
  }

  /**
   * The cluster host must be an IP address of one of this host's interfaces: Hazelcast listens only
   * on an interface address it finds (it would fail later, without naming the setting), and the
   * event bus advertises the same string to the other members, so a name or a pattern will not do.
   */
  static String checkClusterHost(CourierConfig cfg) {
    String host = cfg.get(ConfigKeys.CLUSTER_HOST).trim();
    boolean literal = host.matches("\\d{1,3}(\\.\\d{1,3}){3}") || host.contains(":") && host.matches("[0-9a-fA-F:.]+");
    InetAddress address;
    try {
      address = literal ? InetAddress.getByName(host) : null; // a literal: no name lookup
    } catch (UnknownHostException e) {
      address = null;
    }
    if (address == null) {
      throw new IllegalArgumentException(ConfigKeys.CLUSTER_HOST.env() + " must be an IP address of this host, got '"
          + host + "'");
    }
    try {
      if (address.isAnyLocalAddress() || NetworkInterface.getByInetAddress(address) == null) {
        throw new IllegalArgumentException(ConfigKeys.CLUSTER_HOST.env() + ": " + host + " is not the address of an "
            + "interface of this host (Hazelcast and the event bus listen there, and only there)");
      }
    } catch (SocketException e) {
      throw new IllegalStateException("cannot list the network interfaces: " + e.getMessage(), e);
    }
    return host;
  }

  public static Future<Started> startClusteredVertx(CourierConfig cfg, String nodeId, VertxOptions options) {
    boundHazelcastCallbacks();
    HazelcastClusterManager mgr = new HazelcastClusterManager(hazelcastConfig(cfg, nodeId));
    VertxOptions opts = NodeMetrics.withMetrics(options, nodeId);
    PrometheusMeterRegistry metrics = NodeMetrics.newRegistry(nodeId);
    EventBusOptions bus;
    io.vertx.core.transport.Transport transport;
    try {
      transport = Transports.choose(cfg.get(ConfigKeys.TRANSPORT));
      bus = busOptions(cfg, opts.getEventBusOptions());
    } catch (RuntimeException e) {
      // Refused before Hazelcast starts: a node with a bad bus setting never joins the cluster.
      return Future.failedFuture(e);
    }
    opts.setEventBusOptions(bus);
    return Vertx.builder().with(opts).withTransport(transport).withClusterManager(mgr)
        .withMetrics(new MicrometerMetricsFactory(metrics)).buildClustered()
        .map(v -> new Started(v, mgr, metrics));
  }
}
