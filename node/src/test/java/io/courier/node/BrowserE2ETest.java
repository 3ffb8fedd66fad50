package io.courier.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.testing.Nodes;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The demo page, the JavaScript client and the SockJS event-bus bridge in a real headless Chromium
 * (Debian's {@code chromium}, driven by {@code playwright-core} from {@code e2e/}), against a node
 * started here: two browsers chat, one goes offline and queues, pages reload mid-conversation, and a
 * bridge socket tries another user's inbox; and the same JavaScript client in Node with an injected
 * WebSocket, against the node and against a scripted WebSocket server ({@code client-scripted.mjs}:
 * server behaviour a node rarely shows, such as an inbox rollback). Screenshots land in
 * {@code target/screenshots/}.
 */
class BrowserE2ETest {
  private static final Path E2E = Path.of("..", "e2e").toAbsolutePath().normalize();
  private static final Path CHROMIUM = Path.of(System.getProperty("courier.chromium", "/usr/bin/chromium"));

  @RegisterExtension
  static final Nodes<CourierNode> nodes = InProcessNodes.named("browser");
  private static CourierNode node;

  @BeforeAll
  static void start() throws Exception {
    npmCi();
    Path web = Path.of("target", "e2e-web").toAbsolutePath();
    Files.createDirectories(web.resolve("vendor"));
    Files.copy(E2E.resolve("node_modules/sockjs-client/dist/sockjs.min.js"), web.resolve("vendor/sockjs.min.js"),
        StandardCopyOption.REPLACE_EXISTING);
    Files.copy(E2E.resolve("node_modules/@vertx/eventbus-bridge-client.js/vertx-eventbus.js"),
        web.resolve("vendor/vertx-eventbus.js"), StandardCopyOption.REPLACE_EXISTING);
    CourierConfig cfg = nodes.config()
        .with(ConfigKeys.WEB_DIR, web.toString()).with(ConfigKeys.GATEWAY_INSTANCES, 1)
        .with(ConfigKeys.RETRANSMIT_INITIAL_MS, 1000);
    node = nodes.start(cfg);
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void demoPageAndBridgeInHeadlessChromium() throws Exception {
    assertThat(Files.isExecutable(CHROMIUM)).as("Chromium at " + CHROMIUM + " (Debian: apt-get install chromium)")
        .isTrue();
    String out = runScript("browser.mjs", 150);
    assertThat(out).contains("4 passed, 0 failed");
    assertThat(Path.of("target", "screenshots", "offline-bob.png")).exists();
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void javaScriptClientInNodeWithAnInjectedWebSocket() throws Exception {
    assertThat(runScript("node-client.mjs", 45)).contains("2 passed, 0 failed");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void javaScriptClientAgainstAScriptedServer() throws Exception {
    assertThat(runScript("client-scripted.mjs", 45)).contains("7 passed, 0 failed");
  }

  /** Runs an e2e/ script against the node; returns its output after asserting it exited 0 in time. */
  private static String runScript(String script, int timeoutS) throws Exception {
    Path log = Path.of("target", "e2e-" + script + ".log").toAbsolutePath();
    Process p = null;
    try {
      ProcessBuilder pb = new ProcessBuilder(List.of(TcpBridgeTest.nodeExecutable(), E2E.resolve(script).toString()))
          .directory(E2E.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
      pb.environment().put("COURIER_URL", "http://127.0.0.1:" + node.port());
      pb.environment().put("COURIER_JWT_SECRET", nodes.secret());
      pb.environment().put("SCREENSHOT_DIR", Path.of("target", "screenshots").toAbsolutePath().toString());
      pb.environment().put("CHROMIUM", CHROMIUM.toString());
      p = pb.start();
      boolean done = p.waitFor(timeoutS, TimeUnit.SECONDS);
      String out = Files.readString(log, StandardCharsets.UTF_8);
      System.out.println(out);
      assertThat(done).as(script + " finished in time:\n" + out).isTrue();
      assertThat(p.exitValue()).as(out).isZero();
      return out;
    } finally {
      if (p != null) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
      }
    }
  }

  /** Installs e2e/package-lock.json's packages (playwright-core, the two bridge libraries) when absent or stale. */
  static void npmCi() throws Exception {
    File marker = E2E.resolve("node_modules/.package-lock.json").toFile();
    if (marker.exists() && marker.lastModified() >= E2E.resolve("package-lock.json").toFile().lastModified()) {
      return;
    }
    Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(E2E.toFile())
        .redirectErrorStream(true).start();
    try {
      String out = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(npm.waitFor(120, TimeUnit.SECONDS)).as("npm ci finished").isTrue();
      assertThat(npm.exitValue()).as("npm ci in e2e/:\n" + out).isZero();
    } finally {
      npm.destroyForcibly();
    }
  }
}
