package io.courier.node;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

/**
 * Deterministic generator of bad (and some good) client input from one seed: valid frames of every
 * type, then mutated (bytes flipped, cut short, nested deep, numbers huge, fields of the wrong
 * type, unicode edge cases, duplicated keys, padding), plus raw WebSocket frames that break the
 * transport (invalid UTF-8, bad opcodes, unmasked, oversized control frames, stray continuations).
 */
final class FrameFuzzer {
  /** Targets of generated sends: never connected, so nothing is pushed back to the fuzzing clients. */
  static final List<String> TARGETS = List.of("fz-target-a", "fz-target-b", "fz-target-c");
  private static final String[] UNICODE = {
      "\u0000", "\u001f", "\u007f", "\u00e9", "\u0301", "\u200b", "\u202e", "\ufeff", "\ufffd", "\uffff",
      "\uD83D\uDE00", "\uD83D", "\uDE00", "\u4e2d\u6587", "\\u0000", "\\ud800", "\\udfff", "\\uD83D\\uDE00", "\\u",
      "\\x41", "\\", "\"", "\n", "\t"};
  private static final String[] VALUES = {
      "null", "true", "false", "0", "-0", "1", "-1", "1.5", "1e3", "1e999999", "-1e999999", "9223372036854775807",
      "9223372036854775808", "123456789012345678901234567890", "0.0000000000000000000001", "\"\"", "\"x\"", "[]", "{}",
      "[null]", "{\"a\":{}}", "\"" + "z".repeat(300) + "\""};

  private final Random rnd;
  private int counter;

  FrameFuzzer(long seed) {
    this.rnd = new Random(seed);
  }

  /** A valid frame of a random type. */
  String valid() {
    int n = counter++;
    String to = TARGETS.get(rnd.nextInt(TARGETS.size()));
    return switch (rnd.nextInt(10)) {
      case 0 -> "{\"type\":\"ping\",\"ref\":\"p" + n + "\"}";
      case 1, 2 -> "{\"type\":\"send\",\"id\":\"f" + n + "\",\"to\":\"" + to + "\",\"body\":{\"n\":" + n
          + ",\"t\":\"hello\",\"a\":[1,2,{\"b\":null}]}}";
      case 3 -> "{\"type\":\"ack\",\"seq\":" + rnd.nextInt(1000) + "}";
      case 4 -> "{\"type\":\"sync\",\"after\":" + rnd.nextInt(5) + ",\"epoch\":\"e" + n + "\",\"ref\":\"s" + n + "\"}";
      case 5 -> "{\"type\":\"presence\",\"users\":[\"" + to + "\",\"u" + n + "\"],\"ref\":\"q" + n + "\"}";
      case 6 -> "{\"type\":\"refresh\",\"token\":\"not.a.jwt" + n + "\",\"ref\":\"r" + n + "\"}";
      case 7 -> "{\"type\":\"join\",\"room\":\"room" + n + "\",\"ref\":\"j" + n + "\"}";
      case 8 -> "{\"type\":\"watch\",\"users\":[\"" + to + "\"]}";
      default -> "{\"type\":\"send\",\"id\":\"g" + n + "\",\"room\":\"r\",\"body\":null}";
    };
  }

  /** A text frame: usually a mutated valid one, sometimes noise; at most {@code maxChars} characters. */
  String text(int maxChars) {
    String f = switch (rnd.nextInt(12)) {
      case 0 -> flipChars(valid());
      case 1 -> truncate(valid());
      case 2 -> nest(valid());
      case 3 -> replaceValue(valid(), VALUES[rnd.nextInt(VALUES.length)]);
      case 4 -> replaceValue(valid(), "\"" + UNICODE[rnd.nextInt(UNICODE.length)] + "\"");
      case 5 -> insertUnicode(valid());
      case 6 -> duplicateKey(valid());
      case 7 -> manyFields(valid());
      case 8 -> noise();
      case 9 -> flipChars(flipChars(valid()));
      case 10 -> pad(valid(), maxChars);
      default -> valid();
    };
    return f.length() > maxChars ? f.substring(0, maxChars) : f;
  }

  private String flipChars(String s) {
    StringBuilder b = new StringBuilder(s);
    int flips = 1 + rnd.nextInt(3);
    for (int i = 0; i < flips && b.length() > 0; i++) {
      int at = rnd.nextInt(b.length());
      b.setCharAt(at, (char) (b.charAt(at) ^ (1 << rnd.nextInt(7))));
    }
    return b.toString();
  }

  private String truncate(String s) {
    return s.substring(0, rnd.nextInt(s.length()));
  }

  private String nest(String s) {
    int depth = 1 + rnd.nextInt(rnd.nextBoolean() ? 40 : 3000);
    String inner = "[".repeat(depth) + VALUES[rnd.nextInt(VALUES.length)] + "]".repeat(rnd.nextInt(8) == 0 ? depth - 1 : depth);
    return s.substring(0, s.length() - 1) + ",\"deep\":" + inner + "}";
  }

  /** Replaces the value after a random top-level-looking key ("seq", "id", "to", ...) with {@code value}. */
  private String replaceValue(String s, String value) {
    String[] keys = {"\"type\":", "\"id\":", "\"to\":", "\"seq\":", "\"after\":", "\"users\":", "\"ref\":", "\"body\":",
        "\"token\":", "\"room\":", "\"epoch\":"};
    String key = keys[rnd.nextInt(keys.length)];
    int i = s.indexOf(key);
    if (i < 0) {
      return s.substring(0, s.length() - 1) + "," + key + value + "}";
    }
    int start = i + key.length();
    int end = valueEnd(s, start);
    return s.substring(0, start) + value + s.substring(end);
  }

  private static int valueEnd(String s, int start) {
    int depth = 0;
    boolean inString = false;
    for (int i = start; i < s.length(); i++) {
      char c = s.charAt(i);
      if (inString) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          inString = false;
          if (depth == 0) {
            return i + 1;
          }
        }
      } else if (c == '"') {
        inString = true;
      } else if (c == '[' || c == '{') {
        depth++;
      } else if (c == ']' || c == '}') {
        if (depth == 0) {
          return i;
        }
        depth--;
        if (depth == 0) {
          return i + 1;
        }
      } else if (c == ',' && depth == 0) {
        return i;
      }
    }
    return s.length();
  }

  private String insertUnicode(String s) {
    int at = 1 + rnd.nextInt(Math.max(1, s.length() - 1));
    return s.substring(0, at) + UNICODE[rnd.nextInt(UNICODE.length)] + s.substring(at);
  }

  private String duplicateKey(String s) {
    return s.substring(0, s.length() - 1) + ",\"type\":\"" + (rnd.nextBoolean() ? "ping" : "bogus") + "\",\"id\":"
        + VALUES[rnd.nextInt(VALUES.length)] + "}";
  }

  private String manyFields(String s) {
    int n = 1 + rnd.nextInt(rnd.nextBoolean() ? 50 : 2000);
    StringBuilder b = new StringBuilder(s.substring(0, s.length() - 1));
    for (int i = 0; i < n; i++) {
      b.append(",\"k").append(i).append("\":").append(i);
    }
    return b.append('}').toString();
  }

  private String noise() {
    return switch (rnd.nextInt(8)) {
      case 0 -> "";
      case 1 -> " ";
      case 2 -> VALUES[rnd.nextInt(VALUES.length)];
      case 3 -> "{\"type\":" + VALUES[rnd.nextInt(VALUES.length)] + "}";
      case 4 -> "{\"type\":\"" + "t".repeat(rnd.nextInt(100)) + "\"}";
      case 5 -> "{" + "\"a\":".repeat(1 + rnd.nextInt(5)) + "}";
      case 6 -> randomAscii(1 + rnd.nextInt(200));
      default -> "{\"type\":\"ping\"}{\"type\":\"ping\"}";
    };
  }

  private String pad(String s, int maxChars) {
    int size = rnd.nextInt(Math.max(1, maxChars - s.length()));
    return s.substring(0, s.length() - 1) + ",\"pad\":\"" + "x".repeat(size) + "\"}";
  }

  private String randomAscii(int n) {
    StringBuilder b = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      b.append((char) (0x20 + rnd.nextInt(0x5f)));
    }
    return b.toString();
  }

  /** A raw WebSocket frame that breaks the transport, or a harmless control frame. */
  record RawCase(String what, int opcode, boolean fin, int rsv, boolean masked, byte[] payload,
                 boolean followedByContinuation, int expectedClose) {
    /** 0: the connection must stay open. */
    boolean harmless() {
      return expectedClose == 0;
    }
  }

  RawCase raw(int transportLimit) {
    byte[] json = valid().getBytes(StandardCharsets.UTF_8);
    return switch (rnd.nextInt(11)) {
      case 0 -> new RawCase("invalid utf-8", 0x1, true, 0, true, corruptUtf8(json), false, 1007);
      case 1 -> new RawCase("invalid utf-8 in a fragment", 0x1, false, 0, true, corruptUtf8(json), true, 1007);
      case 2 -> new RawCase("reserved opcode", new int[] {3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF}[rnd.nextInt(10)], true, 0,
          true, json, false, 1002);
      case 3 -> new RawCase("rsv bits", 0x1, true, 1 + rnd.nextInt(7), true, json, false, 1002);
      case 4 -> new RawCase("unmasked", rnd.nextBoolean() ? 0x1 : 0x9, true, 0, false, json, false, 1002);
      case 5 -> new RawCase("stray continuation", 0x0, rnd.nextBoolean(), 0, true, json, false, 1002);
      case 6 -> new RawCase("control frame over 125 bytes", rnd.nextBoolean() ? 0x9 : 0xA, true, 0, true,
          new byte[126 + rnd.nextInt(200)], false, 1002);
      case 7 -> new RawCase("fragmented control frame", 0x9, false, 0, true, new byte[rnd.nextInt(10)], false, 1002);
      case 8 -> new RawCase("message past the transport limit", 0x1, true, 0, true,
          ("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(transportLimit) + "\"}").getBytes(StandardCharsets.UTF_8),
          false, 1009);
      case 9 -> new RawCase("ping", 0x9, true, 0, true, randomBytes(rnd.nextInt(126)), false, 0);
      default -> new RawCase("unsolicited pong", 0xA, true, 0, true, randomBytes(rnd.nextInt(126)), false, 0);
    };
  }

  private byte[] corruptUtf8(byte[] json) {
    byte[][] bad = {{(byte) 0xC3, 0x28}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
        {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xFF}, {(byte) 0x80}, {(byte) 0xE2, (byte) 0x82}};
    byte[] b = bad[rnd.nextInt(bad.length)];
    int at = rnd.nextInt(json.length);
    byte[] out = new byte[json.length + b.length];
    System.arraycopy(json, 0, out, 0, at);
    System.arraycopy(b, 0, out, at, b.length);
    System.arraycopy(json, at, out, at + b.length, json.length - at);
    return out;
  }

  private byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    rnd.nextBytes(b);
    return b;
  }
}
