package io.courier.delivery.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.protocol.InboxMessage;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Test helpers: drafts, whole-inbox reads, sequential senders, waiting on a condition. */
final class Inboxes {
  private Inboxes() {}

  static InboxMessage draft(String from, String to, String id, String body) {
    return draft(from, to, id, body, System.currentTimeMillis());
  }

  static InboxMessage draft(String from, String to, String id, String body, long ts) {
    return new InboxMessage(0, null, id, from, to, null, body, ts);
  }

  static InboxMessage roomDraft(String from, String room, String id, String body) {
    return new InboxMessage(0, null, id, from, null, room, body, System.currentTimeMillis());
  }

  static <T> T await(Future<T> f) {
    try {
      return f.await(20, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("store call did not complete within 20 s", e);
    }
  }

  /** The failure of {@code f}, which must fail. */
  static Throwable failure(Future<?> f) {
    try {
      f.await(20, TimeUnit.SECONDS);
    } catch (Throwable t) {
      return t;
    }
    throw new AssertionError("expected the call to fail");
  }

  /** Every retained message, paging through the inbox like a sync replay. */
  static List<InboxMessage> readAll(MessageStore store, String user) {
    List<InboxMessage> all = new ArrayList<>();
    long after = 0;
    while (true) {
      ReadResult page = await(store.read(user, after, 128));
      if (page.messages().isEmpty()) {
        return all;
      }
      for (InboxMessage m : page.messages()) {
        assertThat(m.seq()).isGreaterThan(after);
        after = m.seq();
      }
      all.addAll(page.messages());
    }
  }

  /** Appends {@code from-0 .. from-(n-1)} one after the other, each after the previous one was accepted. */
  static Future<Void> sendSequentially(MessageStore store, String user, String from, int n) {
    return sendFrom(store, user, from, 0, n);
  }

  private static Future<Void> sendFrom(MessageStore store, String user, String from, int i, int n) {
    if (i == n) {
      return Future.succeededFuture();
    }
    return store.append(user, draft(from, user, from + "-" + i, "{\"n\":" + i + "}"))
        .compose(r -> sendFrom(store, user, from, i + 1, n));
  }

  static Future<Void> delay(Vertx vertx, long ms) {
    Promise<Void> p = Promise.promise();
    vertx.setTimer(ms, t -> p.complete());
    return p.future();
  }

  /** Polls {@code condition} until it holds; fails the test at the deadline. */
  static void eventually(Duration timeout, String what, BooleanSupplier condition) {
    Instant deadline = Instant.now().plus(timeout);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("not within " + timeout + ": " + what);
      }
      try {
        Thread.sleep(25);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
