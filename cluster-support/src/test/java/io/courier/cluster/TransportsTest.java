package io.courier.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.transport.Transport;
import org.junit.jupiter.api.Test;

/**
 * COURIER_TRANSPORT. This module's tests have no native library on the class path (the node's jar
 * has them; the node's own test starts on epoll), so here auto means NIO and a named native
 * transport is refused with the reason.
 */
class TransportsTest {
  @Test
  void autoTakesEpollWhenItLoadsAndNioOtherwise() {
    assertThat(Transports.choose("auto")).isEqualTo(Transports.loads(Transport.EPOLL) ? Transport.EPOLL : Transport.NIO);
    assertThat(Transports.choose(" AUTO ")).isEqualTo(Transports.choose("auto"));
    assertThat(Transports.choose(null)).isEqualTo(Transports.choose("auto"));
  }

  @Test
  void nioIsAlwaysThere() {
    assertThat(Transports.choose("nio")).isEqualTo(Transport.NIO);
  }

  @Test
  void aNamedTransportThatCannotLoadIsRefusedWithTheSettingAndWhy() {
    assertThat(Transports.loads(Transport.EPOLL)).as("no native library on this module's class path").isFalse();
    assertThatThrownBy(() -> Transports.choose("epoll"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("COURIER_TRANSPORT=epoll is not available");
  }

  @Test
  void anUnknownNameIsRefused() {
    assertThatThrownBy(() -> Transports.choose("kqueue"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("COURIER_TRANSPORT must be auto, epoll, io_uring or nio, not 'kqueue'");
  }
}
