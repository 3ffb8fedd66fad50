package io.courier.connection.transport;

import io.vertx.core.buffer.Buffer;

/**
 * Streaming UTF-8 validation (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF)
 * across the fragments of one WebSocket text message. RFC 6455 §8.1 requires failing the
 * connection on invalid UTF-8; decoding with replacement characters would silently change what
 * the client sent. Plain class, one per message in progress.
 */
final class Utf8Validator {
  private int needed;
  private int lower = 0x80;
  private int upper = 0xBF;
  private boolean failed;

  /** Feeds the next bytes; false once the input can no longer be valid UTF-8. */
  boolean feed(Buffer b) {
    int n = b.length();
    for (int i = 0; i < n && !failed; i++) {
      int x = b.getByte(i) & 0xFF;
      if (needed == 0) {
        if (x < 0x80) {
          continue;
        }
        if (x >= 0xC2 && x <= 0xDF) {
          needed = 1;
        } else if (x >= 0xE0 && x <= 0xEF) {
          needed = 2;
          if (x == 0xE0) {
            lower = 0xA0; // overlong
          } else if (x == 0xED) {
            upper = 0x9F; // surrogates
          }
        } else if (x >= 0xF0 && x <= 0xF4) {
          needed = 3;
          if (x == 0xF0) {
            lower = 0x90; // overlong
          } else if (x == 0xF4) {
            upper = 0x8F; // past U+10FFFF
          }
        } else {
          failed = true;
        }
      } else if (x < lower || x > upper) {
        failed = true;
      } else {
        lower = 0x80;
        upper = 0xBF;
        needed--;
      }
    }
    return !failed;
  }

  /** True if everything fed so far is valid and ends on a character boundary. */
  boolean complete() {
    return !failed && needed == 0;
  }

  /** Validates one whole message. */
  static boolean valid(Buffer b) {
    Utf8Validator v = new Utf8Validator();
    return v.feed(b) && v.complete();
  }
}
