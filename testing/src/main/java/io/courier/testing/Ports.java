package io.courier.testing;

import io.courier.cluster.FreePorts;
import java.util.UUID;

/** Free loopback ports and unique names, so tests never collide with each other or the machine. */
public final class Ports {
  private Ports() {}

  /** A free loopback port below the ephemeral range (see {@link FreePorts}). */
  public static int free() {
    return FreePorts.pick("127.0.0.1");
  }

  public static String uniqueName(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }
}
