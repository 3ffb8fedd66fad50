package io.courier.presence.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The presence memory benchmark at a small size, on two real Hazelcast members in this JVM. */
class PresenceMemoryTest {

  @Test
  void registersEveryUserAndReportsWhatItMeasured() {
    JsonObject r = PresenceMemory.measure(300, 2, 1, 1, 100, new PrintStream(new ByteArrayOutputStream()));
    assertThat(r.getInteger("users")).isEqualTo(300);
    assertThat(r.getInteger("devices")).as("every tenth user has a second device").isEqualTo(330);
    assertThat(r.getInteger("memberIdsFound")).isEqualTo(2);
    // Users 1, 3, 5, ... are on member 1 only; users 0, 10, 20, ... have their second device there.
    assertThat(r.getInteger("watchedUsersOfflineAfterPurge")).isEqualTo(150);
    assertThat(r.getLong("ownedBytes")).as("Hazelcast computes no entry cost for the OBJECT format").isNegative();
  }

  @Test
  void badFlagsAreUsageErrors() {
    PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    assertThatThrownBy(() -> PresenceMemory.run(new String[] {"--users", "0"}, sink, sink))
        .isInstanceOf(PresenceMemory.UsageException.class).hasMessageContaining("--users must be 1-");
    assertThatThrownBy(() -> PresenceMemory.run(new String[] {"--members", "1", "--watchers", "2"}, sink, sink))
        .isInstanceOf(PresenceMemory.UsageException.class).hasMessageContaining("--watchers must be at most --members");
    assertThatThrownBy(() -> PresenceMemory.run(new String[] {"--backups"}, sink, sink))
        .isInstanceOf(PresenceMemory.UsageException.class).hasMessageContaining("--backups needs a value");
  }
}
