package io.courier.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.protocol.ConfigKeys;
import io.courier.testing.Nodes;
import io.courier.testing.RedisServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The JavaScript client (in Node, {@code e2e/rollback.mjs}) across a real rolled-back inbox: a node
 * on a real {@code redis-server}, 1-3 to bob, an RDB snapshot, 4-5 received and acked, Redis
 * SIGKILLed and started again from the snapshot, two new sends. The script drives the clients and
 * asks this test for each Redis step on stdout; bob's client must deliver both new messages exactly
 * once and emit {@code loss {kind: 'rollback'}}.
 */
class JsClientRollbackTest {
  private static final Path E2E = Path.of("..", "e2e").toAbsolutePath().normalize();

  @RegisterExtension
  static final Nodes<CourierNode> nodes = InProcessNodes.named("js-rollback");

  private RedisServer redis;
  private CourierNode node;
  private Process script;
  private Path snapshot;

  /** The script ends first; then the extension stops the node and the redis-server. */
  @AfterEach
  void tearDown() {
    if (script != null) {
      script.descendants().forEach(ProcessHandle::destroyForcibly);
      script.destroyForcibly();
    }
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void theJavaScriptClientGetsTheNewMessagesOfARolledBackInboxOnceAndIsTold() throws Exception {
    BrowserE2ETest.npmCi();
    redis = RedisServer.startWithSnapshots();
    nodes.add(() -> redis.close()); // the server of the moment (a restart replaces it), after the node
    node = nodes.start(nodes.config()
        .with(ConfigKeys.STORE, "redis")
        .with(ConfigKeys.REDIS_URL, redis.url()));

    ProcessBuilder pb = new ProcessBuilder(List.of(TcpBridgeTest.nodeExecutable(), E2E.resolve("rollback.mjs").toString()))
        .directory(E2E.toFile()).redirectErrorStream(true);
    pb.environment().put("COURIER_URL", "http://127.0.0.1:" + node.port());
    pb.environment().put("COURIER_JWT_SECRET", nodes.secret());
    script = pb.start();
    StringBuilder out = new StringBuilder();
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(script.getInputStream(), StandardCharsets.UTF_8));
         Writer answers = new OutputStreamWriter(script.getOutputStream(), StandardCharsets.UTF_8)) {
      String line;
      while ((line = lines.readLine()) != null) { // the script ends itself within its 120 s budget
        System.out.println("rollback.mjs: " + line);
        out.append(line).append('\n');
        if (line.equals("REDIS snapshot")) {
          snapshot = redis.snapshot();
        } else if (line.equals("REDIS rollback")) {
          redis = redis.restartFrom(snapshot); // SIGKILL, then back at the snapshot in the same epoch
        } else {
          continue;
        }
        answers.write("done\n");
        answers.flush();
      }
    }
    assertThat(script.waitFor(10, TimeUnit.SECONDS)).as("rollback.mjs exited").isTrue();
    assertThat(script.exitValue()).as(out.toString()).isZero();
    assertThat(out.toString()).contains("2 passed, 0 failed");
  }
}
