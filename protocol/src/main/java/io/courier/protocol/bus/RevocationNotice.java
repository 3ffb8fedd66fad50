package io.courier.protocol.bus;

import io.courier.protocol.Addresses;
import io.courier.protocol.Bus;
import io.vertx.core.json.JsonObject;

/**
 * A token revocation published to every node ({@link Addresses#REVOCATIONS}):
 * {@code {v, user | jti, at}}. Exactly one of {@code user} and {@code jti}; {@code at} is epoch ms,
 * and for a user it covers the tokens issued at or before it.
 */
public record RevocationNotice(String user, String jti, long at) {

  public JsonObject toJson() {
    return Bus.doc().put(user != null ? Bus.USER : Bus.JTI, user != null ? user : jti).put(Bus.AT, at);
  }

  /** The notice, or null when it has no at or neither a user nor a jti (a user wins over a jti). */
  public static RevocationNotice fromJson(JsonObject o) {
    if (!(o.getValue(Bus.AT) instanceof Number at)) {
      return null;
    }
    if (o.getValue(Bus.USER) instanceof String user) {
      return new RevocationNotice(user, null, at.longValue());
    }
    if (o.getValue(Bus.JTI) instanceof String jti) {
      return new RevocationNotice(null, jti, at.longValue());
    }
    return null;
  }
}
