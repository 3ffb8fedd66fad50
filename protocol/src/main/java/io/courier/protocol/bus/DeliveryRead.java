package io.courier.protocol.bus;

import io.courier.protocol.Addresses;
import io.courier.protocol.Bus;
import io.courier.protocol.InboxMessage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** {@link Addresses#DELIVERY_READ}: a page of an inbox (with limit 0, only its head: epoch and lastSeq). */
public final class DeliveryRead {
  private DeliveryRead() {}

  /** {@code {v, user, after, limit}}: up to {@code limit} messages with a seq above {@code after}. */
  public record Request(String user, long after, int limit) {
    public JsonObject toJson() {
      return Bus.doc().put(Bus.USER, user).put(Bus.AFTER, after).put(Bus.LIMIT, limit);
    }

    /** The request, or null when user, after or limit is missing. */
    public static Request fromJson(JsonObject o) {
      String user = o.getString(Bus.USER);
      Long after = o.getLong(Bus.AFTER);
      Integer limit = o.getInteger(Bus.LIMIT);
      return user == null || after == null || limit == null ? null : new Request(user, after, limit);
    }
  }

  /**
   * {@code {v, epoch, lastSeq, firstAvailable, messages[]}}: the inbox's epoch and highest seq, the
   * lowest seq still kept, and the page, each message in {@link InboxMessage#toBus()} form.
   */
  public record Reply(String epoch, long lastSeq, long firstAvailable, List<InboxMessage> messages) {
    public JsonObject toJson() {
      JsonArray page = new JsonArray(new ArrayList<>(messages.size()));
      messages.forEach(m -> page.add(m.toBus()));
      return Bus.doc().put(Bus.EPOCH, epoch).put(Bus.LAST_SEQ, lastSeq).put(Bus.FIRST_AVAILABLE, firstAvailable)
          .put(Bus.MESSAGES, page);
    }

    public static Reply fromJson(JsonObject o) {
      JsonArray page = o.getJsonArray(Bus.MESSAGES, new JsonArray());
      List<InboxMessage> messages = new ArrayList<>(page.size());
      for (int i = 0; i < page.size(); i++) {
        messages.add(InboxMessage.fromBus(page.getJsonObject(i)));
      }
      return new Reply(o.getString(Bus.EPOCH), o.getLong(Bus.LAST_SEQ), o.getLong(Bus.FIRST_AVAILABLE), messages);
    }
  }
}
