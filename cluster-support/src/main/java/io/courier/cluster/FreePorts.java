package io.courier.cluster;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A port that is free now, for a server that binds it a moment later. Taken below the kernel's
 * ephemeral range (Linux: 32768-60999), so outgoing connections made in between (Hazelcast,
 * Redis, clients) cannot take it, as they could a port from {@code new ServerSocket(0)}.
 */
public final class FreePorts {
  private static final int LOW = 15_000;
  private static final int HIGH = 32_000;

  private FreePorts() {}

  public static int pick(String host) {
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(LOW, HIGH);
      try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName(host))) {
        s.setReuseAddress(true);
        return port;
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IllegalStateException("no free port in " + LOW + "-" + HIGH + " on " + host);
  }
}
