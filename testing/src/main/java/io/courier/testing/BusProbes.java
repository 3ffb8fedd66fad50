package io.courier.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/** Event-bus TLS settings for test members, and the check that a bus request was refused. */
public final class BusProbes {
  /** Long enough for a first connection and TLS handshake on a busy machine; what a refused request waits. */
  public static final DeliveryOptions SHORT = new DeliveryOptions().setSendTimeout(3000);

  private BusProbes() {}

  /** {@code cfg} with event-bus TLS: {@code node}'s key and certificate, trusting {@code ca}. */
  public static CourierConfig withBusTls(CourierConfig cfg, OpenSsl.Ca ca, OpenSsl.KeyAndCert node) {
    return cfg.with(ConfigKeys.CLUSTER_TLS_CERT_FILE, node.cert()).with(ConfigKeys.CLUSTER_TLS_KEY_FILE, node.key())
        .with(ConfigKeys.CLUSTER_TLS_CA_FILE, ca.cert());
  }

  /**
   * A request from {@code from} to {@code address} fails, and not for want of a handler: the address
   * is registered in Hazelcast, so the sender knew where to send; the bus connection is what failed.
   * A refused connection leaves the request unanswered, so it times out. NO_HANDLERS would mean the
   * address was unknown (the check proves nothing), RECIPIENT_FAILURE that the message was delivered.
   */
  public static void assertRefused(Vertx from, String address, Object body, String who) {
    Throwable failure = null;
    try {
      from.eventBus().request(address, body, SHORT).await();
    } catch (Throwable t) {
      failure = t;
    }
    assertThat(failure).as(who + " got a reply from " + address).isNotNull();
    if (failure instanceof ReplyException re) {
      assertThat(re.failureType()).as(who + ": " + re).isEqualTo(ReplyFailure.TIMEOUT);
    }
  }
}
