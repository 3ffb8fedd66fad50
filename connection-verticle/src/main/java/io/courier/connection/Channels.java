package io.courier.connection;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;

/**
 * Drops a connection at the TCP level. Vert.x closes a WebSocket by writing a close frame and
 * waiting for the answer, with its timeout starting only once the frame is written; behind a client
 * that stopped reading the frame never is, and the connection would stay forever. Reaching the
 * Netty channel needs Vert.x's internal interfaces, so each step falls back to a plain close.
 */
final class Channels {
  private Channels() {}

  /** Resets {@code ws}'s connection (SO_LINGER 0: the unsent bytes are discarded, the peer sees a reset). */
  static void abort(ServerWebSocket ws) {
    if (ws instanceof WebSocketInternal wi && wi.channelHandlerContext() != null) {
      reset(wi.channelHandlerContext().channel());
    } else {
      ws.close();
    }
  }

  /** Resets the TCP connection under {@code connection} (an upgraded HTTP/1.1 connection). */
  static boolean abort(HttpConnection connection) {
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
    ch.close();
  }
}
