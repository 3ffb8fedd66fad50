package io.courier.loadgen;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.InternetProtocolFamily;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.net.ClientOptionsBase;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.transport.Transport;
import java.util.concurrent.ThreadFactory;

/**
 * Vert.x's epoll transport, but every client socket that binds a source address picks its port at
 * connect, not at bind ({@code IP_BIND_ADDRESS_NO_PORT}, Linux 4.2 and later).
 *
 * <p>Why: the generator binds each connection to a loopback source address of its own (127.0.0.2
 * and on, {@link Fleet}), and a bind to port 0 makes the kernel search that address's ephemeral
 * range for a port no other socket is bound to. With thousands of the address's ports taken, and
 * more in TIME_WAIT after a reconnect storm's closes, each search walks far: in a 10,000-client
 * storm, 44 % of the generator's CPU was that search (the kernel's {@code bind}), its core was full,
 * and the storm's duration was the generator's, not the server's. Chosen at connect, the port only
 * has to make the four-tuple unique, which the kernel finds directly.
 */
final class BoundPortLateTransport implements Transport {
  static final BoundPortLateTransport EPOLL = new BoundPortLateTransport(Transport.EPOLL);

  private final Transport epoll;

  private BoundPortLateTransport(Transport epoll) {
    this.epoll = epoll;
  }

  @Override
  public String name() {
    return epoll.name();
  }

  @Override
  public boolean available() {
    return epoll.available();
  }

  @Override
  public Throwable unavailabilityCause() {
    return epoll.unavailabilityCause();
  }

  @Override
  public io.vertx.core.spi.transport.Transport implementation() {
    return new Spi(epoll.implementation());
  }

  /** Delegates every method to Vert.x's epoll transport; only the client bootstrap gains the option. */
  private static final class Spi implements io.vertx.core.spi.transport.Transport {
    private final io.vertx.core.spi.transport.Transport d;

    Spi(io.vertx.core.spi.transport.Transport d) {
      this.d = d;
    }

    @Override
    public void configure(ClientOptionsBase options, int connectTimeout, boolean domainSocket, Bootstrap bootstrap) {
      d.configure(options, connectTimeout, domainSocket, bootstrap);
      if (!domainSocket && options.getLocalAddress() != null) {
        bootstrap.option(EpollChannelOption.IP_BIND_ADDRESS_NO_PORT, true);
      }
    }

    @Override
    public boolean supportsDomainSockets() {
      return d.supportsDomainSockets();
    }

    @Override
    public boolean supportFileRegion() {
      return d.supportFileRegion();
    }

    @Override
    public boolean isAvailable() {
      return d.isAvailable();
    }

    @Override
    public Throwable unavailabilityCause() {
      return d.unavailabilityCause();
    }

    @Override
    public java.net.SocketAddress convert(io.vertx.core.net.SocketAddress address) {
      return d.convert(address);
    }

    @Override
    public io.vertx.core.net.SocketAddress convert(java.net.SocketAddress address) {
      return d.convert(address);
    }

    @Override
    public IoHandlerFactory ioHandlerFactory() {
      return d.ioHandlerFactory();
    }

    @Override
    public EventLoopGroup eventLoopGroup(int type, int threads, ThreadFactory threadFactory, int ioRatio) {
      return d.eventLoopGroup(type, threads, threadFactory, ioRatio);
    }

    @Override
    public DatagramChannel datagramChannel() {
      return d.datagramChannel();
    }

    @Override
    public DatagramChannel datagramChannel(InternetProtocolFamily family) {
      return d.datagramChannel(family);
    }

    @Override
    public ChannelFactory<? extends Channel> channelFactory(boolean domainSocket) {
      return d.channelFactory(domainSocket);
    }

    @Override
    public ChannelFactory<? extends ServerChannel> serverChannelFactory(boolean domainSocket) {
      return d.serverChannelFactory(domainSocket);
    }

    @Override
    public void configure(DatagramChannel channel, DatagramSocketOptions options) {
      d.configure(channel, options);
    }

    @Override
    public void configure(NetServerOptions options, boolean domainSocket, ServerBootstrap bootstrap) {
      d.configure(options, domainSocket, bootstrap);
    }
  }
}
