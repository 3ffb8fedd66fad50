package io.courier.connection.bridge;

import io.courier.protocol.ErrorCodes;
import io.courier.protocol.ServiceBridge;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Splits a TCP bridge connection into frames (4-byte big-endian length, then that many bytes of
 * JSON) in front of the bridge library's own parser. The library buffers whatever length a frame
 * announces (up to 2 GiB), answers nothing to a frame that is not JSON or has an unknown type, and
 * throws on fields of the wrong JSON type; the gate answers those itself:
 *
 * <ul>
 *   <li>a length over the limit (or negative): err {@code too_large:...}, then the connection is
 *       closed, since the rest of the stream cannot be framed without reading it;
 *   <li>not a JSON object, {@code type} not one of the bridge's, {@code address},
 *       {@code replyAddress} or {@code headers} of the wrong type, or {@code courier.notify} used
 *       other than as a request: err {@code bad_frame:...}; the connection stays open;
 *   <li>anything else: the frame's bytes go on to the bridge unchanged.
 * </ul>
 *
 * Runs on the socket's event loop; memory per connection is bounded by one frame plus one read.
 */
final class FrameGate implements Handler<Buffer> {
  static final Set<String> TYPES = Set.of("send", "publish", "register", "unregister", "ping");

  private final NetSocket socket;
  private final int maxFrameBytes;
  private final Handler<Buffer> next;
  private final Consumer<String> onRefused;
  private Buffer pending = Buffer.buffer();
  private boolean closed;
  private boolean framed;

  /**
   * @param next the bridge's parser, which receives whole frames (length prefix included)
   * @param onRefused told the error of every refused frame (for logs; it never holds headers)
   */
  FrameGate(NetSocket socket, int maxFrameBytes, Handler<Buffer> next, Consumer<String> onRefused) {
    this.socket = socket;
    this.maxFrameBytes = maxFrameBytes;
    this.next = next;
    this.onRefused = onRefused;
  }

  @Override
  public void handle(Buffer chunk) {
    if (closed) {
      return;
    }
    pending.appendBuffer(chunk);
    int n = pending.length();
    int off = 0;
    while (n - off >= 4) {
      int len = pending.getInt(off);
      if (len < 0 || len > maxFrameBytes) {
        closed = true;
        pending = Buffer.buffer();
        String error = ErrorCodes.TOO_LARGE + ":frame of " + Integer.toUnsignedString(len) + " bytes exceeds "
            + maxFrameBytes + " bytes";
        onRefused.accept(error);
        socket.write(errFrame(error)).onComplete(ignored -> socket.close());
        return;
      }
      if (n - off - 4 < len) {
        break;
      }
      Buffer frame = pending.getBuffer(off, off + 4 + len);
      off += 4 + len;
      framed = true;
      String problem = check(frame.getBuffer(4, frame.length()));
      if (problem == null) {
        next.handle(frame);
      } else {
        String error = ErrorCodes.BAD_FRAME + ":" + problem;
        onRefused.accept(error);
        socket.write(errFrame(error));
      }
      if (closed) {
        return;
      }
    }
    pending = off == 0 ? pending : pending.getBuffer(off, n);
  }

  /** True once a whole frame has arrived (passed on or refused). */
  boolean framed() {
    return framed;
  }

  /** Why the JSON of a frame cannot go to the bridge, or null if it can. */
  static String check(Buffer json) {
    JsonObject f;
    try {
      f = new JsonObject(json);
    } catch (DecodeException | ClassCastException e) {
      return "frame is not a JSON object";
    }
    if (!(f.getValue("type") instanceof String type)) {
      return "type must be a string";
    }
    if (!TYPES.contains(type)) {
      return "unknown frame type '" + (type.length() > 32 ? type.substring(0, 32) : type) + "'";
    }
    Object address = f.getValue("address");
    if (!type.equals("ping") && !(address instanceof String)) {
      return "address must be a string";
    }
    Object replyAddress = f.getValue("replyAddress");
    if (replyAddress != null && !(replyAddress instanceof String)) {
      return "replyAddress must be a string";
    }
    Object headers = f.getValue("headers");
    if (headers != null && !(headers instanceof JsonObject)) {
      return "headers must be an object";
    }
    if (ServiceBridge.NOTIFY.equals(address) && !(type.equals("send") && replyAddress != null)) {
      return ServiceBridge.NOTIFY + " takes requests only: type send with a replyAddress";
    }
    return null;
  }

  /** A bridge {@code err} frame: {@code {"type":"err","message":...}}, length-prefixed. */
  static Buffer errFrame(String message) {
    byte[] json = new JsonObject().put("type", "err").put("message", message).encode().getBytes(StandardCharsets.UTF_8);
    return Buffer.buffer(json.length + 4).appendInt(json.length).appendBytes(json);
  }
}
