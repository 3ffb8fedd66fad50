package io.courier.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An HS256 secret of 31 bytes stops a real node process before it joins the cluster, with a
 * message naming the setting and the minimum; one of 32 bytes starts and joins. The node the
 * others would join is running, with the same cluster name, so a node that got as far as Hazelcast
 * would show up in its membership.
 */
class JwtSecretLengthProcessIT {
  static final String SECRET_31 = "0123456789abcdef0123456789abcde";
  static final String SECRET_32 = SECRET_31 + "f";

  @Test
  void aShortSecretStopsTheNodeBeforeItJoinsAndTheMinimumStarts() throws Exception {
    assertThat(SECRET_31.getBytes(java.nio.charset.StandardCharsets.UTF_8)).hasSize(31);
    try (ProcessCluster cluster = new ProcessCluster("jwt-secret-length", Map.of())) {
      NodeProcess first = cluster.start("n1", "connection,delivery,presence");
      first.awaitStarted(Duration.ofSeconds(90));
      assertThat(first.members()).isEqualTo(1);

      NodeProcess weak = cluster.start("n-weak", "connection,delivery,presence", Map.of("COURIER_JWT_SECRET", SECRET_31));
      int exit = weak.awaitExit(Duration.ofSeconds(60));
      assertThat(exit).as("exit code\n%s", weak.diagnostics()).isNotZero().isNotEqualTo(-1);
      String stderr = Files.readString(weak.stdout().resolveSibling("n-weak.err"));
      assertThat(stderr).contains("COURIER_JWT_SECRET is 31 bytes").contains("at least 32 bytes")
          .doesNotContain(SECRET_31);
      assertThat(weak.findLog("node started", j -> true)).isEmpty();
      assertThat(weak.logLines()).as("no Hazelcast member was started")
          .noneMatch(j -> String.valueOf(j.getString("logger_name")).startsWith("com.hazelcast"));
      assertThat(first.findLog("cluster member joined", j -> true)).as("nobody joined the first node").isEmpty();
      assertThat(first.members()).isEqualTo(1);

      NodeProcess ok = cluster.start("n-ok", "connection,delivery,presence", Map.of("COURIER_JWT_SECRET", SECRET_32));
      ok.awaitStarted(Duration.ofSeconds(90));
      cluster.awaitMembers(2, Duration.ofSeconds(60));
      assertThat(first.findLog("cluster member joined", j -> "n-ok".equals(j.getString("memberNodeId")))).isPresent();
    }
  }

  @Test
  void aShortSecretFileIsNamedWithItsPath() throws Exception {
    try (ProcessCluster cluster = new ProcessCluster("jwt-secret-file", Map.of())) {
      Path file = Files.createDirectories(cluster.logDir()).resolve("jwt-secret");
      Files.writeString(file, SECRET_31 + "\n");
      NodeProcess weak = cluster.start("n-file", "connection,delivery,presence",
          Map.of("COURIER_JWT_SECRET", "", "COURIER_JWT_SECRET_FILE", file.toString()));
      assertThat(weak.awaitExit(Duration.ofSeconds(60))).as(weak.diagnostics()).isNotZero().isNotEqualTo(-1);
      assertThat(Files.readString(weak.stdout().resolveSibling("n-file.err")))
          .contains("COURIER_JWT_SECRET_FILE (" + file + ") is 31 bytes").contains("at least 32 bytes");
      assertThat(weak.findLog("node started", j -> true)).isEmpty();
    }
  }
}
