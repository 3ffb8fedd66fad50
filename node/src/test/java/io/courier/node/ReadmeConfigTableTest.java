package io.courier.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's configuration table is exactly what `courier config --markdown` prints. */
class ReadmeConfigTableTest {
  @Test
  void readmeListsEverySettingWithItsDefault() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    assertThat(readme).as("regenerate with: bin/courier config --markdown").contains(Main.markdownTable());
  }
}
