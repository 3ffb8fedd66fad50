package io.courier.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** The socket table reader, against sockets this JVM opens: it must see them, with their exact address. */
class ListeningSocketsTest {
  @Test
  void seesThisProcessesListenersWithTheirAddress() throws Exception {
    try (ServerSocket one = new ServerSocket(); ServerSocket two = new ServerSocket()) {
      one.bind(new InetSocketAddress("127.0.0.1", 0));
      two.bind(new InetSocketAddress("127.0.0.2", 0));
      var all = ListeningSockets.of(ProcessHandle.current().pid());
      assertThat(all).contains(new ListeningSockets.Listener(InetAddress.getByName("127.0.0.1"), one.getLocalPort()),
          new ListeningSockets.Listener(InetAddress.getByName("127.0.0.2"), two.getLocalPort()));
    }
    assertThat(ListeningSockets.address("0100007F").getHostAddress()).isEqualTo("127.0.0.1");
    assertThat(ListeningSockets.address("00000000").isAnyLocalAddress()).isTrue();
    assertThat(ListeningSockets.address("00000000000000000000000000000000").isAnyLocalAddress()).isTrue();
    assertThat(ListeningSockets.address("0000000000000000FFFF00000100007F").getHostAddress()).isEqualTo("127.0.0.1");
  }
}
