package io.courier.protocol;

/**
 * JSON strings written by hand for the frames of the message path, with exactly the characters
 * Vert.x's {@code Json.encode} (Jackson's generator with its default escapes) writes: {@code "} and
 * {@code \} escaped, control characters below U+0020 as {@code \b \t \n \f \r} or {@code \}{@code u00XX}
 * (upper-case hex), everything else as it is. Why: {@code Json.encode} of one string takes a whole
 * generator and serializer provider, which was one of the largest allocations per message.
 */
public final class JsonText {
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private JsonText() {}

  /** Appends {@code s} as a JSON string (quotes included); null as {@code null}. */
  public static StringBuilder quote(StringBuilder b, String s) {
    if (s == null) {
      return b.append("null");
    }
    b.append('"');
    int n = s.length();
    int from = 0;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c != '"' && c != '\\') {
        continue;
      }
      b.append(s, from, i);
      from = i + 1;
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\b' -> b.append("\\b");
        case '\t' -> b.append("\\t");
        case '\n' -> b.append("\\n");
        case '\f' -> b.append("\\f");
        case '\r' -> b.append("\\r");
        default -> b.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
      }
    }
    return b.append(s, from, n).append('"');
  }

  /** {@code s} as a JSON string. */
  public static String quote(String s) {
    return quote(new StringBuilder(s == null ? 4 : s.length() + 2), s).toString();
  }
}
