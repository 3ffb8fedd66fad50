package io.courier.connection;

import io.courier.protocol.ErrorCodes;
import io.courier.protocol.ServerFrames;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;

/** A {@link Session} over a raw WebSocket ({@code GET /ws}). */
final class WsTransport implements Transport {
  private final ServerWebSocket ws;

  WsTransport(ServerWebSocket ws) {
    this.ws = ws;
  }

  /** Feeds the socket's frames and close into the session; frames are read once the socket is resumed. */
  void bind(Session s) {
    ws.textMessageHandler(s::onText);
    ws.binaryMessageHandler(b -> {
      s.touch();
      write(ServerFrames.error(ErrorCodes.BAD_FRAME, "binary frames are not accepted; send JSON text frames", null)
          .encode());
    });
    ws.pongHandler(b -> s.touch());
    // Every frame counts as liveness, WebSocket pings from the client included.
    ws.frameHandler(f -> s.touch());
    ws.exceptionHandler(s::onSocketError);
    ws.closeHandler(v -> s.onSocketClosed());
  }

  @Override
  public void write(String frame) {
    ws.writeTextMessage(frame);
  }

  @Override
  public void close(short code, String reason) {
    ws.close(code, reason);
  }

  @Override
  public void ping() {
    ws.writePing(Buffer.buffer("hb"));
  }

  @Override
  public boolean writeQueueFull() {
    return ws.writeQueueFull();
  }

  @Override
  public void drainHandler(Runnable onDrained) {
    ws.drainHandler(v -> onDrained.run());
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
