package io.courier.connection.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.vertx.core.http.HttpConnection;

/**
 * Drops a connection at the TCP level. Vert.x closes a WebSocket by writing a close frame and
 * waiting for the answer, with its timeout starting only once the frame is written; behind a client
 * that stopped reading the frame never is, and the connection would stay forever. The channel is
 * reached through the upgraded request's connection (the router hands out wrapped WebSockets);
 * that needs a Vert.x implementation interface, so the caller falls back to a plain close.
 */
public final class Channels {
  private Channels() {}

  /**
   * Resets the TCP connection under {@code connection} (an upgraded HTTP/1.1 connection; SO_LINGER
   * 0: unsent bytes are discarded and the peer sees a reset). False if it cannot be reached.
   */
  public static boolean abort(HttpConnection connection) {
    Channel ch = channel(connection);
    if (ch == null) {
      return false;
    }
    reset(ch);
    return true;
  }

  /** The socket under {@code connection} (an HTTP/1.x server connection), or null if it cannot be reached. */
  public static Channel channel(HttpConnection connection) {
    if (connection instanceof io.vertx.core.http.impl.HttpServerConnection c && c.channelHandlerContext() != null) {
      return c.channelHandlerContext().channel();
    }
    return null;
  }

  /** The listening socket {@code socket} was accepted on, or null (a socket no server accepted). */
  public static Channel listener(Channel socket) {
    Channel parent = socket.parent();
    return parent instanceof io.netty.channel.ServerChannel ? parent : null;
  }

  /**
   * Stops or resumes accepting on {@code listener}: with auto-read off a listening channel takes
   * no more connections from the kernel's accept queue; turning it on again reads that queue.
   * Applied on the listener's own event loop, in the order of the calls: there Netty stops at once,
   * while from another thread its epoll transport would first take one more connection it had
   * already asked for.
   */
  public static void accepting(Channel listener, boolean on) {
    if (listener.eventLoop().inEventLoop()) {
      listener.config().setAutoRead(on);
    } else {
      listener.eventLoop().execute(() -> listener.config().setAutoRead(on));
    }
  }

  private static void reset(Channel ch) {
    try {
      ch.config().setOption(ChannelOption.SO_LINGER, 0);
    } catch (RuntimeException ignored) {
      // Not every transport takes the option; a plain close still ends the connection.
    }
    // Below the pipeline: Vert.x's handler would turn a channel close into another graceful
    // WebSocket close, waiting for the frame that cannot be written.
    ch.eventLoop().execute(() -> ch.unsafe().close(ch.unsafe().voidPromise()));
  }
}
