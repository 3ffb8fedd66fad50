package io.courier.client;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on loopback between a client and a node, which a test can break the way networks
 * break: cut every connection without a WebSocket close (RST), swallow what the server sends on the
 * current connections (frames lost in flight, a half-dead link), or refuse new connections.
 */
final class FlakyProxy implements AutoCloseable {
  private final Vertx vertx;
  private final int targetPort;
  private final Set<Link> links = ConcurrentHashMap.newKeySet();
  private final AtomicInteger accepted = new AtomicInteger();
  private NetServer server;
  private NetClient client;
  private volatile boolean refusing;
  /** The port clients connect to, once started. */
  int port;

  private static final class Link {
    final NetSocket downstream; // towards the client
    volatile NetSocket upstream; // towards the node
    volatile boolean swallowDownstream;
    volatile boolean swallowUpstream;

    Link(NetSocket downstream) {
      this.downstream = downstream;
    }

    void cut() {
      downstream.close();
      if (upstream != null) {
        upstream.close();
      }
    }
  }

  FlakyProxy(Vertx vertx, int targetPort) {
    this.vertx = vertx;
    this.targetPort = targetPort;
  }

  int start() {
    client = vertx.createNetClient();
    server = vertx.createNetServer(new NetServerOptions().setSoLinger(0)).connectHandler(this::accept);
    port = server.listen(0, "127.0.0.1").await().actualPort();
    return port;
  }

  private void accept(NetSocket down) {
    if (refusing) {
      down.close();
      return;
    }
    accepted.incrementAndGet();
    Link link = new Link(down);
    links.add(link);
    down.pause();
    client.connect(targetPort, "127.0.0.1").onComplete(ar -> {
      if (ar.failed()) {
        links.remove(link);
        down.close();
        return;
      }
      NetSocket up = ar.result();
      link.upstream = up;
      down.handler(b -> forward(b, up, link.swallowUpstream));
      up.handler(b -> forward(b, down, link.swallowDownstream));
      down.closeHandler(v -> {
        links.remove(link);
        up.close();
      });
      up.closeHandler(v -> {
        links.remove(link);
        down.close();
      });
      down.resume();
    });
  }

  private static void forward(Buffer b, NetSocket to, boolean swallow) {
    if (!swallow) {
      to.write(b);
    }
  }

  /** Closes every current connection at the TCP level: the client sees no close frame. */
  void cutAll() {
    links.forEach(Link::cut);
  }

  /** From now on, bytes from the node to the client on the current connections are dropped. */
  void swallowDownstream() {
    links.forEach(l -> l.swallowDownstream = true);
  }

  /** Drops bytes both ways on the current connections: a link that is silently dead. */
  void freeze() {
    links.forEach(l -> {
      l.swallowDownstream = true;
      l.swallowUpstream = true;
    });
  }

  /** While true, new connections are closed as soon as they arrive. */
  void refuseNew(boolean refuse) {
    this.refusing = refuse;
  }

  int connectionsAccepted() {
    return accepted.get();
  }

  int openLinks() {
    return links.size();
  }

  @Override
  public void close() {
    cutAll();
    if (server != null) {
      server.close().await();
    }
    if (client != null) {
      client.close().await();
    }
  }
}
