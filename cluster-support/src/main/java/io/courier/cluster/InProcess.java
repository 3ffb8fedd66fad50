package io.courier.cluster;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The services of one node that its other verticles call directly instead of over the event bus:
 * its delivery verticles ({@link LocalDelivery}) and its push consumer ({@link LocalInbox}). The
 * bus stays the path between nodes and for anything not registered here (split deployments, a
 * verticle being undeployed), so every caller keeps its bus fallback.
 *
 * <p>Why: on one node the local event bus was the largest group in the profile (a delivery
 * context, a JSON document built and read, a reply handler and a hop to another event loop for
 * each request, reply and push); a direct call costs a method call.
 */
public final class InProcess {
  /** Replaced whole on every change, so a read is one volatile load and no copy. */
  private volatile LocalDelivery[] deliveries = new LocalDelivery[0];
  private final AtomicInteger next = new AtomicInteger();
  private volatile LocalInbox inbox;

  /** Registered by a delivery verticle once its consumers are up. */
  public synchronized void addDelivery(LocalDelivery delivery) {
    LocalDelivery[] more = Arrays.copyOf(deliveries, deliveries.length + 1);
    more[deliveries.length] = delivery;
    deliveries = more;
  }

  /** Removed first as a delivery verticle stops: later sends take the bus. */
  public synchronized void removeDelivery(LocalDelivery delivery) {
    deliveries = Arrays.stream(deliveries).filter(d -> d != delivery).toArray(LocalDelivery[]::new);
  }

  /** One of this node's delivery verticles, in turn; null when it runs none. */
  public LocalDelivery delivery() {
    LocalDelivery[] all = deliveries;
    switch (all.length) {
      case 0:
        return null;
      case 1:
        return all[0];
      default:
        return all[Math.floorMod(next.getAndIncrement(), all.length)];
    }
  }

  public void setInbox(LocalInbox inbox) {
    this.inbox = inbox;
  }

  /** Clears the inbox if it is still {@code inbox} (a later one may have replaced it). */
  public void clearInbox(LocalInbox inbox) {
    if (this.inbox == inbox) {
      this.inbox = null;
    }
  }

  /** This node's push consumer; null when the node runs no gateway. */
  public LocalInbox inbox() {
    return inbox;
  }
}
