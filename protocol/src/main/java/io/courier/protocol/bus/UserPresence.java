package io.courier.protocol.bus;

import io.courier.protocol.Bus;
import io.vertx.core.json.JsonObject;

/**
 * One user's presence as a {@code presence} frame and the presence bus documents carry it:
 * {@code {online, devices, since?}}. {@code since} is when the user came online, or was last seen
 * when offline; 0 (left out) if never seen.
 */
public record UserPresence(boolean online, int devices, long since) {

  public JsonObject toJson() {
    JsonObject o = new JsonObject().put(Bus.ONLINE, online).put(Bus.DEVICES, devices);
    if (since > 0) {
      o.put(Bus.SINCE, since);
    }
    return o;
  }

  /** Null for a value that lacks online or devices. */
  public static UserPresence fromJson(Object value) {
    if (!(value instanceof JsonObject o) || !(o.getValue(Bus.ONLINE) instanceof Boolean online)
        || !(o.getValue(Bus.DEVICES) instanceof Number devices)) {
      return null;
    }
    return new UserPresence(online, devices.intValue(), o.getValue(Bus.SINCE) instanceof Number s ? s.longValue() : 0);
  }
}
