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
    if (connection instanceof io.vertx.core.http.impl.HttpServerConnection c && c.channelHandlerContext() != null) {
      reset(c.channelHandlerContext().channel());
      return true;
    }
    return false;
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
