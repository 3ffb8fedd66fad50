package io.courier.node;

import io.courier.testing.Nodes;

/**
 * The {@link Nodes} extension for {@link CourierNode}s in the test JVM (shared with client-java's
 * tests through this module's test-jar). The extension itself lives in the testing module, which
 * cannot depend on this one: node's own tests use it.
 */
public final class InProcessNodes {
  /** Stopped as an operator stops them: drained first, then closed ({@link CourierNode#close()}). */
  public static final Nodes.Launcher<CourierNode> DRAINED =
      new Nodes.Launcher<>(CourierNode::start, CourierNode::port, CourierNode::close);
  /** Stopped at once ({@link CourierNode#closeNow()}): remaining connections are closed with 1001. */
  public static final Nodes.Launcher<CourierNode> AT_ONCE =
      new Nodes.Launcher<>(CourierNode::start, CourierNode::port, CourierNode::closeNow);

  private InProcessNodes() {}

  /** Nodes for one test class, stopped drained ({@link #DRAINED}). */
  public static Nodes<CourierNode> named(String name) {
    return Nodes.of(name, DRAINED);
  }

  /** Nodes for one test class, stopped at once ({@link #AT_ONCE}). */
  public static Nodes<CourierNode> stoppedAtOnce(String name) {
    return Nodes.of(name, AT_ONCE);
  }
}
