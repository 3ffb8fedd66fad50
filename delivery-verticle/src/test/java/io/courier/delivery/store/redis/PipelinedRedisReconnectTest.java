package io.courier.delivery.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.courier.testing.RedisServer;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Command;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** A lost connection is reopened and the operator is told so, against a real redis-server. */
class PipelinedRedisReconnectTest {
  private RedisServer redis;
  private Vertx vertx;
  private PipelinedRedis client;
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(PipelinedRedis.class);

  @BeforeEach
  void start() throws Exception {
    redis = RedisServer.start();
    vertx = Vertx.vertx();
    client = new PipelinedRedis(vertx, redis.url(), 1, 16, "reconnect-test");
    client.firstAttempt().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    logs.start();
    logger.addAppender(logs);
  }

  @AfterEach
  void stop() throws Exception {
    logger.detachAppender(logs);
    client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    redis.close();
  }

  /**
   * Redis closes the connection but keeps listening, so the first attempt after the loss succeeds:
   * the "lost" line still gets its "restored" line, and commands go through again.
   */
  @Test
  void aConnectionReopenedOnTheFirstAttemptIsReportedRestored() throws Exception {
    assertThat(ping()).isEqualTo("PONG");
    assertThat(redis.command("CLIENT", "KILL", "TYPE", "normal")).isEqualTo(":1");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (messages().stream().noneMatch("Redis connection restored"::equals) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(messages()).containsSubsequence("Redis connection lost; reconnecting", "Redis connection restored");
    assertThat(messages()).doesNotContain("cannot connect to Redis; retrying with backoff");
    assertThat(ping()).isEqualTo("PONG");
  }

  private List<String> messages() {
    synchronized (logs.list) {
      return logs.list.stream().map(ILoggingEvent::getMessage).toList();
    }
  }

  private String ping() throws Exception {
    return client.send(Request.cmd(Command.PING)).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)
        .toString();
  }
}
