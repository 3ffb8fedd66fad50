package io.courier.protocol;

import io.vertx.core.json.JsonObject;

/** Builders of server -> client frames (protocol v1). Field names here are the contract. */
public final class ServerFrames {
  private ServerFrames() {}

  public static JsonObject welcome(String sessionId, String userId, String nodeId, String epoch,
                                   long lastSeq, long heartbeatMs, long expiresAt) {
    return new JsonObject().put("type", FrameTypes.WELCOME).put("sessionId", sessionId)
        .put("userId", userId).put("nodeId", nodeId).put("epoch", epoch).put("lastSeq", lastSeq)
        .put("heartbeatMs", heartbeatMs).put("expiresAt", expiresAt);
  }

  public static JsonObject sent(String id, long ts, boolean dup, String ref) {
    JsonObject o = new JsonObject().put("type", FrameTypes.SENT).put("id", id).put("ts", ts);
    if (dup) {
      o.put("dup", true);
    }
    return withRef(o, ref);
  }

  /**
   * {@link #sent} as text, written without a JSON tree (one per message on the send path): the same
   * characters as {@code sent(id, ts, dup, ref).encode()}.
   */
  public static String sentText(String id, long ts, boolean dup, String ref) {
    StringBuilder b = new StringBuilder(48 + id.length() + (ref == null ? 0 : ref.length() + 8));
    JsonText.quote(b.append("{\"type\":\"sent\",\"id\":"), id).append(",\"ts\":").append(ts);
    if (dup) {
      b.append(",\"dup\":true");
    }
    if (ref != null) {
      JsonText.quote(b.append(",\"ref\":"), ref);
    }
    return b.append('}').toString();
  }

  public static JsonObject synced(long after, long upTo, String epoch, boolean truncated,
                                  long firstAvailable, String ref) {
    return synced(after, upTo, epoch, truncated, firstAvailable, false, ref);
  }

  /**
   * {@code synced}; {@code reset} (written only when true) says the inbox went back since the
   * client's position and the replay covered everything the store holds, from {@code after} 0.
   */
  public static JsonObject synced(long after, long upTo, String epoch, boolean truncated,
                                  long firstAvailable, boolean reset, String ref) {
    JsonObject o = new JsonObject().put("type", FrameTypes.SYNCED).put("after", after)
        .put("upTo", upTo).put("epoch", epoch).put("firstAvailable", firstAvailable);
    if (truncated) {
      o.put("truncated", true);
    }
    if (reset) {
      o.put("reset", true);
    }
    return withRef(o, ref);
  }

  public static JsonObject error(String code, String message, String ref) {
    return withRef(new JsonObject().put("type", FrameTypes.ERROR).put("code", code)
        .put("message", message), ref);
  }

  public static JsonObject joined(String room, String ref) {
    return withRef(new JsonObject().put("type", FrameTypes.JOINED).put("room", room), ref);
  }

  public static JsonObject left(String room, String ref) {
    return withRef(new JsonObject().put("type", FrameTypes.LEFT).put("room", room), ref);
  }

  public static JsonObject pong(String ref) {
    return withRef(new JsonObject().put("type", FrameTypes.PONG), ref);
  }

  public static JsonObject refreshed(long expiresAt, String ref) {
    return withRef(new JsonObject().put("type", FrameTypes.REFRESHED).put("expiresAt", expiresAt), ref);
  }

  public static JsonObject presence(JsonObject users, String ref) {
    return withRef(new JsonObject().put("type", FrameTypes.PRESENCE).put("users", users), ref);
  }

  /**
   * A watched user came online (first connection) or went offline (last connection gone).
   * {@code since}: when the user came online, or was last seen; 0 leaves it out.
   */
  public static JsonObject presenceChanged(String user, boolean online, int devices, long since) {
    JsonObject o = new JsonObject().put("type", FrameTypes.PRESENCE_CHANGED).put("user", user)
        .put("online", online).put("devices", devices);
    if (since > 0) {
      o.put("since", since);
    }
    return o;
  }

  public static JsonObject tokenExpiring(long expiresAt) {
    return new JsonObject().put("type", FrameTypes.TOKEN_EXPIRING).put("expiresAt", expiresAt);
  }

  public static JsonObject reconnect(String reason, long afterMs) {
    return new JsonObject().put("type", FrameTypes.RECONNECT).put("reason", reason).put("afterMs", afterMs);
  }

  private static JsonObject withRef(JsonObject o, String ref) {
    if (ref != null) {
      o.put("ref", ref);
    }
    return o;
  }
}
