package io.courier.connection.transport;

import io.courier.connection.session.Session;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;

/**
 * A {@link Session} over a raw WebSocket ({@code GET /ws}). Data frames are assembled here
 * ({@link MessageAssembler}: UTF-8 checked as it arrives, the transport limit enforced as soon as a
 * message passes it); every frame, control frames included, counts as liveness.
 */
public final class WsTransport implements Transport {
  private final ServerWebSocket ws;
  private final HttpConnection connection;

  /** {@code connection}: the upgraded request's connection, for {@link #abort}. */
  public WsTransport(ServerWebSocket ws, HttpConnection connection) {
    this.ws = ws;
    this.connection = connection;
  }

  /**
   * Feeds the socket's frames and close into the session; frames are read once the socket is
   * resumed. {@code maxMessageBytes}: the transport limit ({@link GatewaySettings#transportLimit}).
   */
  public void bind(Session s, int maxMessageBytes) {
    MessageAssembler messages = new MessageAssembler(maxMessageBytes, new MessageAssembler.Sink() {
      @Override
      public void text(String text) {
        s.onText(text);
      }

      @Override
      public void binary(int bytes) {
        s.onBinary(bytes);
      }

      @Override
      public void tooLarge(long bytesSoFar) {
        s.onMessageTooLarge();
      }

      @Override
      public void invalidUtf8() {
        s.onInvalidUtf8();
      }
    });
    // Every frame counts as liveness: data, pongs, and the client's own pings.
    ws.frameHandler(f -> {
      s.touch();
      MessageAssembler.Kind kind = kind(f);
      if (kind != null) {
        messages.frame(kind, f.binaryData(), f.isFinal());
      }
    });
    ws.exceptionHandler(s::onSocketError);
    ws.closeHandler(v -> s.onSocketClosed());
  }

  private static MessageAssembler.Kind kind(WebSocketFrame f) {
    if (f.isText()) {
      return MessageAssembler.Kind.TEXT;
    }
    if (f.isBinary()) {
      return MessageAssembler.Kind.BINARY;
    }
    return f.isContinuation() ? MessageAssembler.Kind.CONTINUATION : null;
  }

  @Override
  public Future<Void> write(String frame) {
    return ws.writeTextMessage(frame);
  }

  @Override
  public void close(short code, String reason) {
    ws.close(code, reason);
  }

  @Override
  public void abort() {
    if (connection == null || !Channels.abort(connection)) {
      ws.close();
    }
  }

  @Override
  public void ping() {
    ws.writePing(Buffer.buffer("hb"));
  }

  @Override
  public Short closeStatusCode() {
    try {
      return ws.closeStatusCode();
    } catch (NullPointerException notClosedYet) {
      // Vert.x 5.0.7 unboxes a null code while no close frame has come in (a connection dropped for
      // idleness before its close handshake): no code, as for a peer that vanished.
      return null;
    }
  }

  @Override
  public String closeReason() {
    return ws.closeReason();
  }
}
