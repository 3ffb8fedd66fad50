package io.courier.node;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.spi.FilterReply;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;

/** The warm-up's routine lines are dropped; the node's own lines and every warning stay. */
class WarmupLogFilterTest {
  private final WarmupLogFilter filter = new WarmupLogFilter();
  private final LoggerContext context = new LoggerContext();

  private LoggingEvent event(Level level, String nodeId) {
    LoggingEvent e = new LoggingEvent();
    e.setLevel(level);
    e.setLoggerName("io.courier.connection.handshake.Admission");
    e.setLoggerContext(context);
    e.setMessage("connected");
    if (nodeId != null) {
      e.addKeyValuePair(new KeyValuePair("sessionId", "s-1"));
      e.addKeyValuePair(new KeyValuePair("nodeId", nodeId));
    }
    return e;
  }

  @Test
  void theWarmupNodesInfoLinesAreDropped() {
    assertThat(filter.decide(event(Level.INFO, Warmup.NODE_PREFIX + "1a2b3c4d"))).isEqualTo(FilterReply.DENY);
    assertThat(filter.decide(event(Level.DEBUG, Warmup.NODE_PREFIX + "1a2b3c4d"))).isEqualTo(FilterReply.DENY);
  }

  @Test
  void itsWarningsAndTheNodesOwnLinesStay() {
    assertThat(filter.decide(event(Level.WARN, Warmup.NODE_PREFIX + "1a2b3c4d"))).isEqualTo(FilterReply.NEUTRAL);
    assertThat(filter.decide(event(Level.ERROR, Warmup.NODE_PREFIX + "1a2b3c4d"))).isEqualTo(FilterReply.NEUTRAL);
    assertThat(filter.decide(event(Level.INFO, "node-684eceb1"))).isEqualTo(FilterReply.NEUTRAL);
    assertThat(filter.decide(event(Level.INFO, null))).isEqualTo(FilterReply.NEUTRAL);
  }
}
