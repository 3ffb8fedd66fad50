package io.courier.protocol.bus;

import io.courier.protocol.Addresses;
import io.courier.protocol.Bus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * {@link Addresses#STORE_CHECKS}: request {@code {v}}; reply {@code {v, store, warnings[]}}: which
 * store delivery runs and the settings of its deployment that can lose acknowledged messages.
 */
public record StoreChecks(String store, List<String> warnings) {

  /** The request: a bare {@code {v}}. */
  public static JsonObject request() {
    return Bus.doc();
  }

  public JsonObject toJson() {
    return Bus.doc().put(Bus.STORE, store).put(Bus.WARNINGS, new JsonArray(warnings));
  }

  /** The reply; without warnings (none listed) an empty list. */
  @SuppressWarnings("unchecked")
  public static StoreChecks fromJson(JsonObject o) {
    return new StoreChecks(o.getString(Bus.STORE), List.copyOf(o.getJsonArray(Bus.WARNINGS, new JsonArray()).getList()));
  }
}
