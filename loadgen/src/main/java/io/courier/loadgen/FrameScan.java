package io.courier.loadgen;

import io.courier.protocol.FrameTypes;

/**
 * Reads the two frames that make up nearly all of a run's traffic, `sent` and `msg`, straight from
 * the text, without building a JSON tree: the type, the send's id number, seq, and from the body
 * (the load generator's own measuring payload) the sender index, message number, room message
 * number, send time and warm-up mark. It accepts only what it fully understands: any other frame,
 * a `ref`, an escape in a key or id, a number that is not a plain integer of the expected range, or
 * anything malformed makes {@link #scan} return false, and the caller parses the frame as a JSON
 * object as before. So the checks made on a frame are the same either way; this is only the fast
 * path for the well-formed common case.
 *
 * <p>One instance is reused frame after frame on one event loop; its fields hold the last scan.
 */
final class FrameScan {
  static final int SENT = 1;
  static final int MSG = 2;

  int type;
  /** `sent`: the number of the send's id ({@code m<number>}), or -1 when the id is not one of ours. */
  int sentNumber;
  /** `msg`: -1 when the frame has no seq (the raw forwarder's). */
  long seq;
  boolean hasBody;
  int sender;
  int number;
  /** -1: no {@code g} (a direct message). */
  int roomMessage;
  long sentNanos;
  boolean warmup;

  private String s;
  private int pos;
  private boolean hasSender;
  private boolean hasNumber;

  /** True when {@code text} is a well-formed `sent` or `msg` frame and the fields now describe it. */
  boolean scan(String text) {
    s = text;
    pos = 0;
    type = 0;
    sentNumber = -1;
    seq = -1;
    hasBody = false;
    boolean hasId = false;
    boolean body = false;
    int idStart = -1;
    int idEnd = -1;
    try {
      skipWs();
      if (!eat('{')) {
        return false;
      }
      skipWs();
      if (eat('}')) {
        return false;
      }
      while (true) {
        skipWs();
        int keyStart = pos;
        int keyEnd = plainString();
        if (keyEnd < 0) {
          return false;
        }
        skipWs();
        if (!eat(':')) {
          return false;
        }
        skipWs();
        if (key(keyStart, keyEnd, "type")) {
          int vs = pos;
          int ve = plainString();
          if (ve < 0) {
            return false;
          }
          type = key(vs, ve, FrameTypes.SENT) ? SENT : key(vs, ve, FrameTypes.MSG) ? MSG : -1;
          if (type < 0) {
            return false;
          }
        } else if (key(keyStart, keyEnd, "id")) {
          idStart = pos + 1;
          idEnd = plainString() - 1;
          if (idEnd < 0) {
            return false;
          }
          hasId = true;
        } else if (key(keyStart, keyEnd, "seq")) {
          seq = integer();
          if (seq < 0) {
            return false;
          }
        } else if (key(keyStart, keyEnd, "body")) {
          if (!body()) {
            return false;
          }
          body = true;
        } else if (key(keyStart, keyEnd, "ref")) {
          return false; // answers to requests are matched by ref on the slow path
        } else if (!skipValue()) {
          return false;
        }
        skipWs();
        if (eat('}')) {
          break;
        }
        if (!eat(',')) {
          return false;
        }
      }
      skipWs();
      if (pos != s.length() || type == 0) {
        return false;
      }
      if (type == SENT) {
        sentNumber = hasId ? idNumber(s, idStart, idEnd) : -1;
        return hasId;
      }
      hasBody = body;
      return body && hasSender && hasNumber;
    } catch (IndexOutOfBoundsException e) {
      return false;
    } finally {
      s = null;
    }
  }

  /**
   * The number of one of this generator's send ids, {@code m<number>} in canonical form, or -1:
   * any other id (leading zeros, a sign, too long) names no send of ours.
   */
  static int idNumber(String id) {
    return id == null ? -1 : idNumber(id, 0, id.length());
  }

  private static int idNumber(String s, int start, int end) {
    int len = end - start;
    if (len < 2 || len > 11 || s.charAt(start) != 'm' || (s.charAt(start + 1) == '0' && len > 2)) {
      return -1;
    }
    long n = 0;
    for (int i = start + 1; i < end; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      n = n * 10 + (c - '0');
    }
    return n > Integer.MAX_VALUE ? -1 : (int) n;
  }

  /** The measuring body: {@code s}, {@code n} (ints), {@code g} (int), {@code t} (long), {@code w} (any). */
  private boolean body() {
    hasSender = false;
    hasNumber = false;
    roomMessage = -1;
    sentNanos = 0;
    warmup = false;
    if (!eat('{')) {
      return false;
    }
    skipWs();
    if (eat('}')) {
      return true;
    }
    while (true) {
      skipWs();
      int ks = pos;
      int ke = plainString();
      if (ke < 0) {
        return false;
      }
      skipWs();
      if (!eat(':')) {
        return false;
      }
      skipWs();
      int len = ke - ks - 2;
      char k = len == 1 ? s.charAt(ks + 1) : 0;
      if (k == 's' || k == 'n' || k == 'g') {
        long v = integer();
        if (v == Long.MIN_VALUE || v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
          return false;
        }
        if (k == 's') {
          sender = (int) v;
          hasSender = true;
        } else if (k == 'n') {
          number = (int) v;
          hasNumber = true;
        } else {
          if (v < 0) {
            return false; // the slow path counts a negative room number as an error
          }
          roomMessage = (int) v;
        }
      } else if (k == 't') {
        long v = integer();
        if (v == Long.MIN_VALUE) {
          return false;
        }
        sentNanos = v;
      } else {
        if (k == 'w') {
          warmup = true;
        }
        if (!skipValue()) {
          return false;
        }
      }
      skipWs();
      if (eat('}')) {
        return true;
      }
      if (!eat(',')) {
        return false;
      }
    }
  }

  /** A JSON integer without fraction or exponent that fits a long (Long.MIN_VALUE: anything else). */
  private long integer() {
    boolean neg = eat('-');
    int start = pos;
    long v = 0;
    while (pos < s.length()) {
      char c = s.charAt(pos);
      if (c < '0' || c > '9') {
        break;
      }
      if (pos - start >= 18) {
        return Long.MIN_VALUE;
      }
      v = v * 10 + (c - '0');
      pos++;
    }
    int digits = pos - start;
    if (digits == 0 || (digits > 1 && s.charAt(start) == '0')) {
      return Long.MIN_VALUE;
    }
    if (pos < s.length()) {
      char c = s.charAt(pos);
      if (c == '.' || c == 'e' || c == 'E') {
        return Long.MIN_VALUE;
      }
    }
    return neg ? -v : v;
  }

  /** A string without escapes at pos; returns the index after its closing quote, or -1. */
  private int plainString() {
    if (!eat('"')) {
      return -1;
    }
    while (true) {
      char c = s.charAt(pos++);
      if (c == '"') {
        return pos;
      }
      if (c == '\\' || c < 0x20) {
        return -1;
      }
    }
  }

  /** Skips any JSON value (strings with escapes, nested objects and arrays, literals, numbers). */
  private boolean skipValue() {
    char c = s.charAt(pos);
    if (c == '"') {
      pos++;
      while (true) {
        char d = s.charAt(pos++);
        if (d == '"') {
          return true;
        }
        if (d == '\\') {
          pos++;
        } else if (d < 0x20) {
          return false;
        }
      }
    }
    if (c == '{' || c == '[') {
      char close = c == '{' ? '}' : ']';
      pos++;
      skipWs();
      if (eat(close)) {
        return true;
      }
      while (true) {
        skipWs();
        if (c == '{') {
          if (!skipValueOfType('"')) {
            return false;
          }
          skipWs();
          if (!eat(':')) {
            return false;
          }
          skipWs();
        }
        if (!skipValue()) {
          return false;
        }
        skipWs();
        if (eat(close)) {
          return true;
        }
        if (!eat(',')) {
          return false;
        }
      }
    }
    if (s.startsWith("true", pos)) {
      pos += 4;
      return true;
    }
    if (s.startsWith("false", pos)) {
      pos += 5;
      return true;
    }
    if (s.startsWith("null", pos)) {
      pos += 4;
      return true;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      return skipNumber();
    }
    return false;
  }

  /** A JSON number of any kind: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
  private boolean skipNumber() {
    eat('-');
    if (eat('0')) {
      // a leading zero stands alone
    } else if (digits() == 0) {
      return false;
    }
    if (eat('.') && digits() == 0) {
      return false;
    }
    if (eat('e') || eat('E')) {
      if (!eat('+')) {
        eat('-');
      }
      return digits() > 0;
    }
    return true;
  }

  private int digits() {
    int start = pos;
    while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
      pos++;
    }
    return pos - start;
  }

  private boolean skipValueOfType(char first) {
    return s.charAt(pos) == first && skipValue();
  }

  private boolean key(int start, int end, String name) {
    return end - start - 2 == name.length() && s.startsWith(name, start + 1);
  }

  private boolean eat(char c) {
    if (pos < s.length() && s.charAt(pos) == c) {
      pos++;
      return true;
    }
    return false;
  }

  private void skipWs() {
    while (pos < s.length()) {
      char c = s.charAt(pos);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      pos++;
    }
  }
}
