package io.courier.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.tokens.TokenIssuer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What Kubernetes does to a Courier pod it stops, following deploy/k8s/deployment.yaml read at test
 * time (so the test fails when the manifest drifts): run the preStop hook's own command, with the
 * manifest's environment, next to a real node process holding a connection; then SIGTERM, as the
 * kubelet does once the hook returns. The node must drain (202, readiness 503, reconnect hint) and
 * exit 0 within terminationGracePeriodSeconds. {@code courier} in the hook is the image's CLI
 * (compose/courier.sh); here it is the same Main on the test class path.
 */
class K8sPreStopDrainProcessIT {
  static final Path MANIFEST = Path.of("..", "deploy", "k8s", "deployment.yaml").toAbsolutePath().normalize();
  private static final Pattern LITERAL_ENV = Pattern.compile("-\\s*\\{name:\\s*(\\w+),\\s*value:\\s*\"?([^\"}]*)\"?\\s*}");

  @Test
  void thePreStopHookDrainsTheNodeWithinTheGracePeriod() throws Exception {
    List<String> manifest = Files.readAllLines(MANIFEST);
    int graceSeconds = terminationGracePeriodSeconds(manifest);
    List<String> hook = preStopCommand(manifest);
    Map<String, String> literalEnv = literalEnv(manifest);
    assertThat(String.join("\n", manifest)).as("the hook's environment has the node's secret")
        .containsPattern("- name: COURIER_JWT_SECRET\\s*\\n\\s*valueFrom: \\{secretKeyRef:");
    assertThat(hook).as("an exec hook").isNotEmpty();

    Vertx vertx = Vertx.vertx();
    HttpClient http = vertx.createHttpClient();
    try (ProcessCluster cluster = new ProcessCluster("k8s-prestop", Map.of())) {
      // The node as the manifest configures it, bar the infrastructure this machine does not have
      // (Redis, the headless Service): the drain settings and the secret are the manifest's.
      Map<String, String> nodeEnv = new LinkedHashMap<>();
      nodeEnv.put("COURIER_DRAIN_GRACE_MS", literalEnv.get("COURIER_DRAIN_GRACE_MS"));
      nodeEnv.put("COURIER_MAX_CONNECTIONS", literalEnv.get("COURIER_MAX_CONNECTIONS"));
      NodeProcess node = cluster.start("pod-0", "connection,delivery,presence", nodeEnv);
      node.awaitStarted(Duration.ofSeconds(90));
      assertThat(Http.call(http, HttpMethod.GET, node.port(), "/health/ready", null, null).status()).isEqualTo(200);

      try (WsProbe client = WsProbe.connect(vertx, node.port(),
          TokenIssuer.issue(cluster.secret(), "u-" + UUID.randomUUID(), Duration.ofMinutes(10), List.of()))) {
        client.next("welcome");

        // The container's environment: the manifest's literal values, the Secret's key, and what the
        // image sets (COURIER_PORT; 8080 in the image, the node's free port here).
        Map<String, String> hookEnv = new LinkedHashMap<>(literalEnv);
        hookEnv.put("COURIER_JWT_SECRET", cluster.secret());
        hookEnv.put("COURIER_PORT", String.valueOf(node.port()));
        long stopStarted = System.nanoTime();
        Hook ran = run(hook, hookEnv, Duration.ofSeconds(graceSeconds));
        assertThat(ran.exit()).as("preStop exit; output:\n%s", ran.output()).isZero();
        assertThat(ran.output()).contains("POST /admin/drain answered 202");

        JsonObject reconnect = client.next("reconnect");
        assertThat(reconnect.getString("reason")).isEqualTo("draining");
        assertThat(reconnect.getLong("afterMs")).isBetween(0L, Long.parseLong(literalEnv.get("COURIER_DRAIN_GRACE_MS")));
        assertThat(Http.call(http, HttpMethod.GET, node.port(), "/health/ready", null, null).status()).isEqualTo(503);
        assertThat(node.isAlive()).as("the drain is still running when the hook returns").isTrue();

        // The kubelet's SIGTERM after the hook; whatever grace is left must cover the drain.
        long left = Duration.ofSeconds(graceSeconds).toNanos() - (System.nanoTime() - stopStarted);
        int exit = node.terminate(Duration.ofNanos(Math.max(1, left)));
        assertThat(exit).as("exit within the grace period (-1: still running)\n%s", node.diagnostics()).isZero();
        assertThat(Duration.ofNanos(System.nanoTime() - stopStarted)).isLessThan(Duration.ofSeconds(graceSeconds));
        assertThat(node.findLog("node drained", j -> true)).isPresent();
      }
    } finally {
      vertx.close().await();
    }
  }

  private record Hook(int exit, String output) {}

  /** Runs the hook as the kubelet does (exec in the container), {@code courier} on the PATH. */
  private static Hook run(List<String> command, Map<String, String> env, Duration timeout) throws Exception {
    Path bin = Files.createTempDirectory("courier-cli-");
    Path courier = bin.resolve("courier");
    String classPath = System.getProperty("java.class.path");
    assertThat(classPath).doesNotContain("'");
    Files.writeString(courier, "#!/bin/sh\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java")
        + "' -Xmx32m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp '" + classPath + "' " + Main.class.getName()
        + " \"$@\"\n", StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(courier, PosixFilePermissions.fromString("rwxr-xr-x"));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("COURIER_"));
    pb.environment().putAll(env);
    pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
    Process p = pb.start();
    p.getOutputStream().close();
    StringBuilder out = new StringBuilder();
    Thread reader = new Thread(() -> {
      try {
        out.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
      } catch (java.io.IOException e) {
        out.append("(output unreadable: ").append(e).append(')');
      }
    });
    reader.start();
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("the preStop hook ran longer than the grace period");
    }
    reader.join(5000);
    return new Hook(p.exitValue(), out.toString());
  }

  static int terminationGracePeriodSeconds(List<String> manifest) {
    return manifest.stream().map(String::trim).filter(l -> l.startsWith("terminationGracePeriodSeconds:"))
        .map(l -> Integer.parseInt(l.substring(l.indexOf(':') + 1).trim())).findFirst()
        .orElseThrow(() -> new AssertionError("no terminationGracePeriodSeconds in " + MANIFEST));
  }

  /** The container's env entries written as {@code - {name: X, value: "Y"}}. */
  static Map<String, String> literalEnv(List<String> manifest) {
    Map<String, String> env = new LinkedHashMap<>();
    for (String line : manifest) {
      Matcher m = LITERAL_ENV.matcher(line.trim());
      if (m.matches()) {
        env.put(m.group(1), m.group(2));
      }
    }
    return env;
  }

  /**
   * The preStop exec command: a flow sequence ({@code command: ["/bin/sh", "-c", "..."]}) or a
   * block sequence whose items may be literal blocks ({@code - |}).
   */
  static List<String> preStopCommand(List<String> manifest) {
    int at = find(manifest, "preStop:", 0);
    at = find(manifest, "command:", at);
    String first = manifest.get(at).trim().substring("command:".length()).trim();
    if (first.startsWith("[")) {
      return new JsonArray(first).stream().map(String.class::cast).toList();
    }
    List<String> items = new ArrayList<>();
    int itemIndent = indent(manifest.get(at + 1));
    for (int i = at + 1; i < manifest.size(); i++) {
      String line = manifest.get(i);
      if (line.isBlank()) {
        continue;
      }
      if (indent(line) != itemIndent || !line.trim().startsWith("- ")) {
        break;
      }
      String item = line.trim().substring(2).trim();
      if (!item.equals("|")) {
        items.add(item);
        continue;
      }
      StringBuilder block = new StringBuilder();
      int blockIndent = -1;
      while (i + 1 < manifest.size() && (manifest.get(i + 1).isBlank() || indent(manifest.get(i + 1)) > itemIndent)) {
        String b = manifest.get(++i);
        if (blockIndent < 0 && !b.isBlank()) {
          blockIndent = indent(b);
        }
        block.append(b.isBlank() ? "" : b.substring(blockIndent)).append('\n');
      }
      items.add(block.toString());
    }
    return items;
  }

  private static int find(List<String> lines, String key, int from) {
    for (int i = from; i < lines.size(); i++) {
      if (lines.get(i).trim().startsWith(key)) {
        return i;
      }
    }
    throw new AssertionError("no '" + key + "' in " + MANIFEST + " after line " + from);
  }

  private static int indent(String line) {
    int n = 0;
    while (n < line.length() && line.charAt(n) == ' ') {
      n++;
    }
    return n;
  }
}
