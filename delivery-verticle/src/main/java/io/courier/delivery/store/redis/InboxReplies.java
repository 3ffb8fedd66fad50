package io.courier.delivery.store.redis;

import io.courier.delivery.store.AppendResult;
import io.courier.delivery.store.ReadResult;
import io.courier.protocol.InboxMessage;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;

/** Turns the {@link InboxScripts} replies into store results. */
public final class InboxReplies {
  private InboxReplies() {}

  public static AppendResult append(Response r) {
    return new AppendResult(Long.parseLong(r.get(1).toString()), r.get(2).toString(),
        Long.parseLong(r.get(3).toString()), "1".equals(r.get(0).toString()));
  }

  public static ReadResult read(String recipient, Response r) {
    String epoch = r.get(0).toString();
    Response page = r.get(3);
    List<InboxMessage> messages = new ArrayList<>(page.size());
    for (Response entry : page) {
      messages.add(message(recipient, epoch, entry));
    }
    return new ReadResult(epoch, Long.parseLong(r.get(1).toString()), Long.parseLong(r.get(2).toString()), messages);
  }

  private static InboxMessage message(String recipient, String epoch, Response entry) {
    String entryId = entry.get(0).toString();
    long seq = Long.parseLong(entryId.substring(0, entryId.indexOf('-')));
    Response fields = entry.get(1);
    String id = null;
    String from = null;
    String to = null;
    String room = null;
    String body = null;
    long ts = 0;
    for (int i = 0; i + 1 < fields.size(); i += 2) {
      String value = fields.get(i + 1).toString();
      switch (fields.get(i).toString()) {
        case "i" -> id = value;
        case "f" -> from = value;
        case "t" -> to = value;
        case "r" -> room = value;
        case "b" -> body = value;
        case "s" -> ts = Long.parseLong(value);
        default -> { } // fields a later version may add
      }
    }
    return new InboxMessage(seq, epoch, id, from, to, room, body, ts);
  }
}
