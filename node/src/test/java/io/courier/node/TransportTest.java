package io.courier.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.courier.protocol.ConfigKeys;
import io.courier.testing.Nodes;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.transport.Transport;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * COURIER_TRANSPORT: the node's jar carries Linux's native transports, so by default (auto) a node
 * on Linux runs on epoll; each transport it can load carries a whole conversation of the protocol
 * (the Python client of examples/, which checks every step as docs/protocol.md describes it).
 */
class TransportTest {
  @RegisterExtension
  static final Nodes<CourierNode> nodes = InProcessNodes.named("transport").tokensLasting(Duration.ofMinutes(5));

  @Test
  void byDefaultALinuxNodeRunsOnEpoll() throws Exception {
    assertThat(Transport.EPOLL).as("Netty's epoll classes are on the node's class path").isNotNull();
    assertThat(Transport.EPOLL.available()).as("epoll's native library loads from the node's class path: "
        + Transport.EPOLL.unavailabilityCause()).isTrue();
    CourierNode node = nodes.start(nodes.config());
    assertThat(node.vertx().isNativeTransportEnabled()).isTrue();
    assertThat(((VertxInternal) node.vertx()).transport().getClass().getSimpleName()).containsIgnoringCase("epoll");
    conversation(node);
  }

  @Test
  void nioWhenAskedFor() throws Exception {
    CourierNode node = nodes.start(nodes.config().with(ConfigKeys.TRANSPORT, "nio"));
    assertThat(node.vertx().isNativeTransportEnabled()).isFalse();
    conversation(node);
  }

  /** io_uring where the kernel allows it; where it does not, the node refuses to start and says why. */
  @Test
  void ioUringRunsWhereTheKernelAllowsItAndIsRefusedWithTheReasonElsewhere() throws Exception {
    if (Transport.IO_URING != null && Transport.IO_URING.available()) {
      CourierNode node = nodes.start(nodes.config().with(ConfigKeys.TRANSPORT, "io_uring"));
      assertThat(((VertxInternal) node.vertx()).transport().getClass().getSimpleName()).containsIgnoringCase("uring");
      conversation(node);
    } else {
      Throwable refused = catchThrowable(() -> nodes.start(nodes.config().with(ConfigKeys.TRANSPORT, "io_uring")));
      assertThat(refused).hasStackTraceContaining("COURIER_TRANSPORT=io_uring is not available");
    }
  }

  private static void conversation(CourierNode node) throws Exception {
    ProtocolOnlyClientTest.conversation(nodes, node, "tr");
  }
}
