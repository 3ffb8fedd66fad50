package io.courier.protocol;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses and validates one text frame from a client. Pure: no I/O, no Vert.x instance, so the
 * whole bad-input surface is unit-testable. Size limits are the caller's (it sees the bytes first).
 */
public final class FrameParser {
  public static final int MAX_ID_LENGTH = 64;
  public static final int MAX_NAME_LENGTH = 256;
  public static final int MAX_USERS_PER_FRAME = 10_000;

  private FrameParser() {}

  /** Either a frame or an error, never both. */
  public record Result(ClientFrame frame, FrameError error) {
    static Result ok(ClientFrame f) {
      return new Result(f, null);
    }

    static Result fail(String code, String message, String ref) {
      return new Result(null, new FrameError(code, message, ref));
    }

    public boolean ok() {
      return frame != null;
    }
  }

  /** Parses without shape limits (clients, tools); the server uses {@link #parse(String, JsonLimits)}. */
  public static Result parse(String text) {
    return parse(text, JsonLimits.NONE);
  }

  /** Parses {@code text}, first refusing JSON past {@code limits} (bad_frame, with the ref when one shows). */
  public static Result parse(String text, JsonLimits limits) {
    JsonLimits.Violation v = limits.check(text);
    if (v != null) {
      return Result.fail(ErrorCodes.BAD_FRAME, v.message(), v.ref());
    }
    Object decoded;
    try {
      decoded = Json.decodeValue(text);
    } catch (DecodeException | IllegalStateException e) {
      return Result.fail(ErrorCodes.BAD_FRAME, "frame is not valid JSON", null);
    } catch (RuntimeException e) {
      // Jackson's own limits (nesting depth, number length) surface as other runtime exceptions.
      return Result.fail(ErrorCodes.BAD_FRAME, "frame is not acceptable JSON", null);
    }
    if (!(decoded instanceof JsonObject o)) {
      return Result.fail(ErrorCodes.BAD_FRAME, "frame must be a JSON object", null);
    }
    Object refValue = o.getValue("ref");
    if (refValue != null && !(refValue instanceof String)) {
      return Result.fail(ErrorCodes.BAD_FRAME, "ref must be a string", null);
    }
    String ref = (String) refValue;
    Object typeValue = o.getValue("type");
    if (!(typeValue instanceof String type)) {
      return Result.fail(ErrorCodes.BAD_FRAME, "type must be a string", ref);
    }
    try {
      return Result.ok(switch (type) {
        case FrameTypes.SEND -> send(o, ref);
        case FrameTypes.ACK -> new ClientFrame.Ack(ref, nonNegativeLong(o, "seq"));
        case FrameTypes.SYNC -> new ClientFrame.Sync(ref, nonNegativeLong(o, "after"), optionalString(o, "epoch"),
            optionalId(o, "lastId"), optionalNonNegativeLong(o, "lastTs"));
        case FrameTypes.PING -> new ClientFrame.Ping(ref);
        case FrameTypes.JOIN -> new ClientFrame.Join(ref, name(o, "room"));
        case FrameTypes.LEAVE -> new ClientFrame.Leave(ref, name(o, "room"));
        case FrameTypes.PRESENCE, FrameTypes.WATCH, FrameTypes.UNWATCH -> new ClientFrame.Users(ref, type, users(o));
        case FrameTypes.REFRESH -> new ClientFrame.Refresh(ref, requiredString(o, "token"));
        default -> throw new Invalid("unknown frame type '" + truncate(type) + "'");
      });
    } catch (Invalid e) {
      String effectiveRef = ref;
      if (effectiveRef == null && FrameTypes.SEND.equals(type) && o.getValue("id") instanceof String id) {
        effectiveRef = id;
      }
      return Result.fail(ErrorCodes.BAD_FRAME, e.getMessage(), effectiveRef);
    }
  }

  private static ClientFrame send(JsonObject o, String ref) {
    Object idValue = o.getValue("id");
    if (!(idValue instanceof String id) || id.isEmpty() || id.length() > MAX_ID_LENGTH) {
      throw new Invalid("id must be a string of 1-" + MAX_ID_LENGTH + " characters");
    }
    boolean hasTo = o.containsKey("to");
    boolean hasRoom = o.containsKey("room");
    if (hasTo == hasRoom) {
      throw new Invalid("send needs exactly one of 'to' and 'room'");
    }
    String to = hasTo ? name(o, "to") : null;
    String room = hasRoom ? name(o, "room") : null;
    if (!o.containsKey("body")) {
      throw new Invalid("send needs a 'body' (any JSON value, null included)");
    }
    String body = Json.encode(o.getValue("body"));
    return new ClientFrame.Send(ref == null ? id : ref, id, to, room, body);
  }

  private static long nonNegativeLong(JsonObject o, String field) {
    Object v = o.getValue(field);
    if (v instanceof Integer || v instanceof Long) {
      long l = ((Number) v).longValue();
      if (l >= 0) {
        return l;
      }
    }
    throw new Invalid(field + " must be a non-negative integer");
  }

  private static Long optionalNonNegativeLong(JsonObject o, String field) {
    return o.getValue(field) == null ? null : nonNegativeLong(o, field);
  }

  /** An optional field holding a message id: absent or null gives null, else 1-MAX_ID_LENGTH characters. */
  private static String optionalId(JsonObject o, String field) {
    Object v = o.getValue(field);
    if (v == null) {
      return null;
    }
    if (v instanceof String s && !s.isEmpty() && s.length() <= MAX_ID_LENGTH) {
      return s;
    }
    throw new Invalid(field + " must be a string of 1-" + MAX_ID_LENGTH + " characters");
  }

  private static String name(JsonObject o, String field) {
    Object v = o.getValue(field);
    if (v instanceof String s && !s.isEmpty() && s.length() <= MAX_NAME_LENGTH) {
      return s;
    }
    throw new Invalid(field + " must be a string of 1-" + MAX_NAME_LENGTH + " characters");
  }

  private static String requiredString(JsonObject o, String field) {
    Object v = o.getValue(field);
    if (v instanceof String s && !s.isEmpty()) {
      return s;
    }
    throw new Invalid(field + " must be a non-empty string");
  }

  private static String optionalString(JsonObject o, String field) {
    Object v = o.getValue(field);
    if (v == null) {
      return null;
    }
    if (v instanceof String s) {
      return s;
    }
    throw new Invalid(field + " must be a string");
  }

  private static List<String> users(JsonObject o) {
    Object v = o.getValue("users");
    if (!(v instanceof JsonArray a) || a.size() > MAX_USERS_PER_FRAME) {
      throw new Invalid("users must be an array of user ids");
    }
    List<String> out = new ArrayList<>(a.size());
    for (Object u : a) {
      if (!(u instanceof String s) || s.isEmpty() || s.length() > MAX_NAME_LENGTH) {
        throw new Invalid("users must be an array of user ids");
      }
      out.add(s);
    }
    return out;
  }

  private static String truncate(String s) {
    return s.length() <= 32 ? s : s.substring(0, 32) + "...";
  }

  private static final class Invalid extends RuntimeException {
    Invalid(String message) {
      super(message, null, false, false);
    }
  }
}
