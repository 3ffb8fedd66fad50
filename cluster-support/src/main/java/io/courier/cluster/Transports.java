package io.courier.cluster;

import io.courier.protocol.ConfigKeys;
import io.vertx.core.transport.Transport;
import java.util.Locale;

/**
 * The network transport of a node's sockets (COURIER_TRANSPORT). Linux's native epoll costs less
 * per read and write than Java NIO's selector (no selected-key set, no wrapper objects per event,
 * edge-triggered readiness), which matters where every message is several small socket writes;
 * {@code auto} takes it whenever the native library loads and falls back to NIO elsewhere.
 */
public final class Transports {
  private Transports() {}

  /** The transport the setting names; a named transport that cannot load is refused with why. */
  public static Transport choose(String setting) {
    String name = setting == null ? "auto" : setting.trim().toLowerCase(Locale.ROOT);
    return switch (name) {
      case "", "auto" -> loads(Transport.EPOLL) ? Transport.EPOLL : Transport.NIO;
      case "epoll" -> available(Transport.EPOLL, "epoll");
      case "io_uring" -> available(Transport.IO_URING, "io_uring");
      case "nio" -> Transport.NIO;
      default -> throw new IllegalArgumentException(ConfigKeys.TRANSPORT.env()
          + " must be auto, epoll, io_uring or nio, not '" + setting + "'");
    };
  }

  /**
   * Whether {@code t} can run here. Vert.x leaves the constant null when the transport's Netty
   * classes are not on the class path at all (only the node's jar carries them).
   */
  static boolean loads(Transport t) {
    return t != null && t.available();
  }

  private static Transport available(Transport t, String name) {
    if (!loads(t)) {
      Throwable why = t == null ? null : t.unavailabilityCause();
      throw new IllegalArgumentException(ConfigKeys.TRANSPORT.env() + "=" + name + " is not available on this machine: "
          + (why != null ? why.getMessage() : "its native library is not on the class path"));
    }
    return t;
  }
}
