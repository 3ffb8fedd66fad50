package io.courier.client;

import io.courier.protocol.InboxMessage;
import io.courier.tokens.TokenIssuer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A user with a client and everything the client reported, for integration tests. */
final class TestUser implements AutoCloseable {
  final String id;
  final CourierClient client;
  final List<InboxMessage> messages = new CopyOnWriteArrayList<>();
  final List<InboxLoss> losses = new CopyOnWriteArrayList<>();
  final List<StateChange> states = new CopyOnWriteArrayList<>();
  final AtomicInteger tokensIssued = new AtomicInteger();

  TestUser(Vertx vertx, String id, String secret, List<String> rooms, CourierClientOptions options) {
    this.id = id;
    this.client = CourierClient.create(vertx, options, () -> {
      tokensIssued.incrementAndGet();
      return Future.succeededFuture(TokenIssuer.issue(secret, id, Duration.ofMinutes(10), rooms));
    }).messageHandler(messages::add).lossHandler(losses::add).stateHandler(states::add);
  }

  /** Base options for tests against a node on {@code port}: quick reconnects. */
  static CourierClientOptions options(int port) {
    return new CourierClientOptions().setHost("127.0.0.1").setPort(port)
        .setReconnectBaseMs(50).setReconnectCapMs(500).setSendRetryBaseMs(50).setSendRetryCapMs(500);
  }

  TestUser connect() {
    Await.result(client.connect());
    return this;
  }

  /** Connects, waiting up to {@code timeout} for the first welcome (the client retries until then). */
  TestUser connect(Duration timeout) {
    client.connect().timeout(timeout.toMillis(), TimeUnit.MILLISECONDS).await();
    return this;
  }

  List<Long> seqs() {
    return messages.stream().map(InboxMessage::seq).toList();
  }

  /** The {@code n} field of every delivered body, in delivery order. */
  List<Integer> numbers() {
    return messages.stream().map(m -> new JsonObject(m.bodyJson()).getInteger("n")).toList();
  }

  void awaitMessages(int n) {
    Await.until(id + " has " + n + " messages (has " + messages.size() + ")", () -> messages.size() >= n);
  }

  void awaitState(ConnectionState s) {
    Await.until(id + " is " + s, () -> client.state() == s);
  }

  static String body(int n) {
    return new JsonObject().put("n", n).encode();
  }

  @Override
  public void close() {
    client.close().await();
  }
}
