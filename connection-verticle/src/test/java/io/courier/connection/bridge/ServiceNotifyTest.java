package io.courier.connection.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.connection.auth.JwtKeys;
import io.courier.connection.auth.RevocationCheck;
import io.courier.connection.auth.TokenVerifier;
import io.courier.protocol.Addresses;
import io.courier.protocol.Bus;
import io.courier.protocol.ServiceBridge;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** courier.notify against a delivery stand-in that answers only when told to. */
class ServiceNotifyTest {
  private static final String SECRET = "0123456789abcdef-shared";
  private Vertx vertx;
  private final List<Message<JsonObject>> held = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    vertx.eventBus().<JsonObject>consumer(Addresses.DELIVERY_SEND, held::add).completion().await();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  private void deploy(String sharedSecret, int maxPending) {
    vertx.deployVerticle(new io.vertx.core.VerticleBase() {
      @Override
      public io.vertx.core.Future<?> start() {
        ServiceNotify notify = new ServiceNotify(vertx.eventBus(), "n1", new TokenVerifier(vertx, JwtKeys.hs256("service-notify-test-jwt-secret-0123456789"), 5, 3600,
            RevocationCheck.NONE),
            sharedSecret, 2000, maxPending);
        return vertx.eventBus().localConsumer(ServiceBridge.NOTIFY, notify::handle).completion();
      }
    }).await();
  }

  private io.vertx.core.Future<Message<Object>> notify(String id, String secret) {
    DeliveryOptions o = new DeliveryOptions().setSendTimeout(5000);
    if (secret != null) {
      o.addHeader(ServiceBridge.HEADER_SECRET, secret).addHeader(ServiceBridge.HEADER_SERVICE, "ops");
    }
    return vertx.eventBus().request(ServiceBridge.NOTIFY,
        new JsonObject().put("id", id).put("to", "bob").put("body", new JsonObject().put("k", 1)), o);
  }

  private void awaitHeld(int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (held.size() < n) {
      assertThat(System.nanoTime()).as("requests reached delivery").isLessThan(deadline);
      Thread.sleep(5);
    }
  }

  private static void answer(Message<JsonObject> m) {
    m.reply(new JsonObject().put(Bus.V, 1).put(Bus.TS, 42L).put(Bus.DUP, false).put(Bus.SEQ, 1L).put(Bus.EPOCH, "e"));
  }

  @Test
  void requestsPastTheLimitAreRefusedRateLimitedUntilOneIsAnswered() throws Exception {
    deploy(SECRET, 2);
    var a = notify("a", SECRET);
    var b = notify("b", SECRET);
    awaitHeld(2);
    assertThat(held.get(0).body().getString(Bus.FROM)).isEqualTo("system:ops");
    assertThat(held.get(0).body().getString(Bus.BODY)).isEqualTo("{\"k\":1}");

    assertThatThrownBy(() -> notify("c", SECRET).await())
        .isInstanceOfSatisfying(ReplyException.class, e -> {
          assertThat(e.failureCode()).isEqualTo(429);
          assertThat(e.getMessage()).startsWith("rate_limited:");
        });

    answer(held.get(0));
    assertThat(((JsonObject) a.await().body())).isEqualTo(new JsonObject().put("id", "a").put("ts", 42L).put("dup", false));
    var d = notify("d", SECRET);
    awaitHeld(3);
    answer(held.get(1));
    answer(held.get(2));
    assertThat(((JsonObject) b.await().body()).getString("id")).isEqualTo("b");
    assertThat(((JsonObject) d.await().body()).getString("id")).isEqualTo("d");
  }

  @Test
  void sharedSecretIsRefusedWhenNotConfiguredOrWrong() {
    deploy("", 10);
    assertThatThrownBy(() -> notify("a", SECRET).await()).hasMessageContaining("forbidden:shared-secret");
    assertThat(held).isEmpty();
  }

  @Test
  void wrongSecretAndMissingAuthAreForbidden() {
    deploy(SECRET, 10);
    assertThatThrownBy(() -> notify("a", SECRET + "!").await()).hasMessage("forbidden:secret not accepted");
    assertThatThrownBy(() -> notify("a", null).await()).hasMessageStartingWith("forbidden:authentication required");
    assertThat(held).isEmpty();
  }

  @Test
  void settingsThatCannotWorkFailAtStart() {
    var base = io.courier.protocol.CourierConfig.defaults().with(io.courier.protocol.ConfigKeys.TCP_BRIDGE_PORT, 7001);
    assertThat(TcpBridge.enabled(io.courier.protocol.CourierConfig.defaults())).isFalse();
    assertThat(TcpBridge.enabled(base)).isTrue();
    assertThatThrownBy(() -> TcpBridge.enabled(base.with(io.courier.protocol.ConfigKeys.TCP_BRIDGE_SECRET, "short")))
        .hasMessageContaining("at least 16");
    assertThatThrownBy(() -> TcpBridge.enabled(base.with(io.courier.protocol.ConfigKeys.TCP_BRIDGE_MAX_FRAME_BYTES, 1023)))
        .hasMessageContaining("1024");
    assertThat(TcpBridge.enabled(base.with(io.courier.protocol.ConfigKeys.TCP_BRIDGE_MAX_FRAME_BYTES, 1024))).isTrue();
    assertThatThrownBy(() -> TcpBridge.enabled(base.with(io.courier.protocol.ConfigKeys.TCP_BRIDGE_PORT, 70000)))
        .hasMessageContaining("COURIER_TCP_BRIDGE_PORT");
  }
}
