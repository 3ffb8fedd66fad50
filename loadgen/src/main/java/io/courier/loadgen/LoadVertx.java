package io.courier.loadgen;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.transport.Transport;

/**
 * The Vert.x instance the load generator's connections run on: one event loop per available core
 * and, on Linux, the native epoll transport, whose reads and writes cost the generator less CPU
 * per frame than Java NIO's (the generator must stay well under one core while it drives a server
 * at tens of thousands of messages a second), with each connection's source port chosen at connect
 * ({@link BoundPortLateTransport}). Elsewhere, or where the native library cannot load, it falls
 * back to NIO.
 */
final class LoadVertx {
  private LoadVertx() {}

  static Vertx create() {
    VertxOptions options = new VertxOptions().setEventLoopPoolSize(Runtime.getRuntime().availableProcessors());
    return Vertx.builder().with(options).withTransport(transport()).build();
  }

  /** The transport the generator uses here: epoll (source ports chosen at connect) when it is available, else NIO. */
  static Transport transport() {
    return Transport.EPOLL.available() ? BoundPortLateTransport.EPOLL : Transport.NIO;
  }
}
