package io.courier.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * Shape limits of a client frame's JSON, checked by streaming over the text before it is turned
 * into objects: a frame within the byte limit can still nest thousands of levels (each a parser
 * stack frame and an object) or hold tens of thousands of tiny members. Pure and thread-safe.
 *
 * <p>Counted: depth (the frame object is level 1; each nested object or array adds one), fields
 * (object members plus array elements, at every level), the length of every member name and of
 * every string value, in characters (UTF-16 code units, as Java's and JavaScript's {@code length}).
 *
 * <p>Why not Jackson's {@code StreamReadConstraints}: they abort the parse at the first excess, so the
 * {@code ref} (or a send's {@code id}) that follows the offending value, which the {@code error} frame
 * must echo (protocol.md §4, step 4), could not be read; and they have no members-plus-elements
 * count (a token count also counts names and closing brackets). Jackson's own defaults still apply
 * to the parse that follows (step 5).
 *
 * @param maxDepth deepest nesting allowed
 * @param maxFields members plus elements allowed in total
 * @param maxKeyChars longest member name allowed
 * @param maxStringChars longest string value allowed
 */
public record JsonLimits(int maxDepth, int maxFields, int maxKeyChars, int maxStringChars) {
  /** No limit beyond the parser's own (used where the caller has none configured). */
  public static final JsonLimits NONE = new JsonLimits(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE,
      Integer.MAX_VALUE);
  private static final JsonFactory FACTORY = new JsonFactory();

  public JsonLimits {
    if (maxDepth < 1 || maxFields < 1 || maxKeyChars < 1 || maxStringChars < 1) {
      throw new IllegalArgumentException("JSON limits must be >= 1");
    }
  }

  /** The limits configured by COURIER_MAX_JSON_*, checked. */
  public static JsonLimits from(CourierConfig c) {
    return new JsonLimits(positive(c, ConfigKeys.MAX_JSON_DEPTH), positive(c, ConfigKeys.MAX_JSON_FIELDS),
        positive(c, ConfigKeys.MAX_JSON_KEY_CHARS), positive(c, ConfigKeys.MAX_JSON_STRING_CHARS));
  }

  private static int positive(CourierConfig c, Setting s) {
    long v = c.getLong(s);
    if (v < 1 || v > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(s.env() + " must be 1-" + Integer.MAX_VALUE + ", got " + v);
    }
    return (int) v;
  }

  /**
   * A frame past a limit: what to tell the client, and the frame's {@code ref} (or, for a
   * {@code send} without one, its {@code id}) when the top level of the frame shows it.
   */
  public record Violation(String message, String ref) {}

  /**
   * The first limit {@code text} passes, or null when it passes none. Text that is not JSON at all
   * is not judged here (null): the parser that follows reports it.
   */
  public Violation check(String text) {
    if (this.equals(NONE)) {
      return null;
    }
    String problem = null;
    String ref = null;
    String id = null;
    String type = null;
    try (JsonParser p = FACTORY.createParser(text)) {
      int depth = 0;
      long fields = -1; // the root value is not a field
      String topName = null;
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        if (t == JsonToken.FIELD_NAME) {
          if (problem == null && p.getTextLength() > maxKeyChars) {
            problem = "a member name is longer than " + maxKeyChars + " characters";
          }
          topName = depth == 1 ? p.currentName() : null;
          continue;
        }
        if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
          depth--;
          continue;
        }
        // A value: a field of its parent, and maybe a container.
        fields++;
        if (problem == null && fields > maxFields) {
          problem = "frame has more than " + maxFields + " members and elements";
        }
        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
          depth++;
          if (problem == null && depth > maxDepth) {
            problem = "frame nests deeper than " + maxDepth + " levels";
          }
          if (problem != null && depth > 1) {
            // Past a limit only the top level still matters (for ref): skip the rest of this value.
            p.skipChildren();
            depth--;
          }
        } else if (t == JsonToken.VALUE_STRING) {
          if (problem == null && p.getTextLength() > maxStringChars) {
            problem = "a string is longer than " + maxStringChars + " characters";
          }
          if (depth == 1 && topName != null) {
            switch (topName) {
              case "ref" -> ref = p.getText();
              case "id" -> id = p.getText();
              case "type" -> type = p.getText();
              default -> { }
            }
          }
        }
        if (depth == 1) {
          topName = null;
        }
      }
    } catch (IOException | RuntimeException e) {
      // Malformed JSON or the parser's own limits: reported by the parser, unless a limit came first.
      if (problem == null) {
        return null;
      }
    }
    if (problem == null) {
      return null;
    }
    if (ref == null && FrameTypes.SEND.equals(type)) {
      ref = id;
    }
    return new Violation(problem, ref);
  }
}
