package io.courier.node;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.courier.connection.Gateway;
import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.testing.Nodes;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/** An empty COURIER_ALLOWED_ORIGINS is warned about once per node at start, and only then. */
class OriginWarningTest {
  @RegisterExtension
  static final Nodes<CourierNode> nodes = InProcessNodes.named("origins");

  private static List<ILoggingEvent> originWarnings(ListAppender<ILoggingEvent> logs, String nodeId) {
    return logs.list.stream()
        .filter(e -> e.getLevel() == Level.WARN)
        .filter(e -> e.getFormattedMessage().contains(ConfigKeys.ALLOWED_ORIGINS.env()))
        .filter(e -> e.getKeyValuePairs() != null && e.getKeyValuePairs().stream()
            .anyMatch(kv -> "nodeId".equals(kv.key) && nodeId.equals(kv.value)))
        .toList();
  }

  private static List<ILoggingEvent> startAndCapture(CourierConfig cfg, String nodeId) {
    Logger logger = (Logger) LoggerFactory.getLogger(Gateway.class);
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    logger.addAppender(logs);
    try {
      CourierNode node = CourierNode.start(cfg.with(ConfigKeys.NODE_ID, nodeId)).await();
      node.close().await();
    } finally {
      logger.detachAppender(logs);
    }
    return originWarnings(logs, nodeId);
  }

  @Test
  void anEmptyListIsWarnedAboutOncePerNodeNotPerGatewayInstance() {
    CourierConfig cfg = nodes.config()
        .with(ConfigKeys.GATEWAY_INSTANCES, 3);
    List<ILoggingEvent> warnings = startAndCapture(cfg, "origins-open-" + UUID.randomUUID());
    assertThat(warnings).hasSize(1);
    assertThat(warnings.get(0).getFormattedMessage()).contains("every Origin is accepted");
  }

  @Test
  void aListOfOriginsIsNotWarnedAbout() {
    CourierConfig cfg = nodes.config()
        .with(ConfigKeys.GATEWAY_INSTANCES, 3).with(ConfigKeys.ALLOWED_ORIGINS, "https://app.example");
    assertThat(startAndCapture(cfg, "origins-set-" + UUID.randomUUID())).isEmpty();
  }
}
