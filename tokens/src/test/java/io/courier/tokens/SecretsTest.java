package io.courier.tokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the HS256 secret comes from, and the 32-byte minimum wherever it comes from. */
class SecretsTest {
  @TempDir
  Path dir;

  private CourierConfig withFile(Path file) {
    return CourierConfig.defaults().with(ConfigKeys.JWT_SECRET_FILE, file.toString());
  }

  @Test
  void theGeneratedDevelopmentSecretMeetsTheMinimumAndIsReadBack() {
    Path file = dir.resolve("sub/jwt-secret");
    Secrets.Resolved made = Secrets.resolve(withFile(file));
    assertThat(made.generated()).isTrue();
    assertThat(made.secret().getBytes(StandardCharsets.UTF_8).length).isGreaterThanOrEqualTo(32);
    Secrets.Resolved again = Secrets.resolve(withFile(file));
    assertThat(again.generated()).isFalse();
    assertThat(again.secret()).isEqualTo(made.secret());
  }

  @Test
  void aShortSecretIsRefusedNamingWhereItCameFrom() throws Exception {
    String short31 = "0123456789abcdef0123456789abcde";
    assertThatThrownBy(() -> Secrets.resolve(CourierConfig.defaults().with(ConfigKeys.JWT_SECRET, short31)))
        .hasMessageContaining("COURIER_JWT_SECRET is 31 bytes").hasMessageContaining("at least 32 bytes")
        .hasMessageNotContaining(short31);
    assertThat(Secrets.resolve(CourierConfig.defaults().with(ConfigKeys.JWT_SECRET, short31 + "f")).secret())
        .isEqualTo(short31 + "f");

    Path file = dir.resolve("jwt-secret");
    Files.writeString(file, short31 + "\n");
    assertThatThrownBy(() -> Secrets.resolve(withFile(file)))
        .hasMessageContaining("COURIER_JWT_SECRET_FILE (" + file + ") is 31 bytes")
        .hasMessageContaining("at least 32 bytes");
    Files.writeString(file, short31 + "f\n");
    assertThat(Secrets.resolve(withFile(file)).secret()).isEqualTo(short31 + "f");
  }
}
