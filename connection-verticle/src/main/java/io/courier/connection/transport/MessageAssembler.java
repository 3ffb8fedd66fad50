package io.courier.connection.transport;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/**
 * Turns the data frames of one WebSocket into messages, in place of Vert.x's own aggregation:
 * text is validated as UTF-8 while it arrives (Vert.x would decode invalid bytes into replacement
 * characters), and a message past {@code maxMessageBytes} is refused as soon as it passes, with its
 * remaining fragments dropped unread. Binary messages are only measured, never kept. Control
 * frames do not come here. Plain class, confined to the socket's context.
 */
final class MessageAssembler {
  /** Where messages and refusals go. */
  interface Sink {
    void text(String text);

    void binary(int bytes);

    /** The message passed the limit; the connection cannot go on (close 1009). */
    void tooLarge(long bytesSoFar);

    /** A text message that is not UTF-8; the connection cannot go on (close 1007). */
    void invalidUtf8();
  }

  /** Data frame kinds, as RFC 6455 names them. */
  enum Kind { TEXT, BINARY, CONTINUATION }

  private enum Mode { IDLE, TEXT, BINARY, FAILED }

  private final int maxMessageBytes;
  private final Sink sink;
  private Mode mode = Mode.IDLE;
  private Buffer text;
  private Utf8Validator utf8;
  private long size;

  MessageAssembler(int maxMessageBytes, Sink sink) {
    this.maxMessageBytes = maxMessageBytes;
    this.sink = sink;
  }

  void frame(Kind kind, Buffer data, boolean fin) {
    if (mode == Mode.FAILED) {
      return;
    }
    switch (kind) {
      case TEXT -> startText(data, fin);
      case BINARY -> {
        mode = Mode.BINARY;
        size = 0;
        binary(data, fin);
      }
      case CONTINUATION -> {
        if (mode == Mode.TEXT) {
          moreText(data, fin);
        } else if (mode == Mode.BINARY) {
          binary(data, fin);
        }
        // A continuation outside a message never reaches here: the WebSocket decoder refuses it (1002).
      }
      default -> throw new IllegalStateException(kind.name());
    }
  }

  private void startText(Buffer data, boolean fin) {
    size = data.length();
    if (size > maxMessageBytes) {
      fail();
      sink.tooLarge(size);
      return;
    }
    if (fin) {
      // The common case, a message in one frame: no copy beyond the decode.
      mode = Mode.IDLE;
      if (!Utf8Validator.valid(data)) {
        fail();
        sink.invalidUtf8();
        return;
      }
      sink.text(data.toString(StandardCharsets.UTF_8));
      return;
    }
    mode = Mode.TEXT;
    utf8 = new Utf8Validator();
    text = Buffer.buffer((int) Math.min(maxMessageBytes, Math.max(256, size * 2)));
    moreTextBytes(data, false);
  }

  private void moreText(Buffer data, boolean fin) {
    size += data.length();
    if (size > maxMessageBytes) {
      fail();
      sink.tooLarge(size);
      return;
    }
    moreTextBytes(data, fin);
  }

  private void moreTextBytes(Buffer data, boolean fin) {
    if (!utf8.feed(data)) {
      fail();
      sink.invalidUtf8();
      return;
    }
    text.appendBuffer(data);
    if (fin) {
      boolean whole = utf8.complete();
      Buffer message = text;
      reset();
      if (!whole) {
        fail();
        sink.invalidUtf8();
        return;
      }
      sink.text(message.toString(StandardCharsets.UTF_8));
    }
  }

  private void binary(Buffer data, boolean fin) {
    size += data.length();
    if (size > maxMessageBytes) {
      fail();
      sink.tooLarge(size);
      return;
    }
    if (fin) {
      long total = size;
      reset();
      sink.binary((int) total);
    }
  }

  private void reset() {
    mode = Mode.IDLE;
    text = null;
    utf8 = null;
    size = 0;
  }

  private void fail() {
    reset();
    mode = Mode.FAILED;
  }
}
