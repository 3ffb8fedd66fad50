package io.courier.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The unanswered sends of one connection: by number, answered in any order, walked in send order. */
class PendingSendsTest {
  @Test
  void keepsSendsByNumberAndWalksThemInOrderAcrossGrowthAndOutOfOrderAnswers() {
    PendingSends<String> p = new PendingSends<>();
    for (int n = 0; n < 100; n++) {
      p.put(n, "v" + n);
    }
    assertThat(p.size()).isEqualTo(100);
    assertThat(p.remove(50)).isEqualTo("v50");
    assertThat(p.remove(50)).isNull();
    assertThat(p.remove(0)).isEqualTo("v0");
    assertThat(p.get(1)).isEqualTo("v1");
    assertThat(p.get(100)).isNull();
    assertThat(p.get(-1)).isNull();
    for (int n = 100; n < 300; n++) {
      p.put(n, "v" + n);
    }
    List<String> walked = new ArrayList<>();
    p.forEach(walked::add);
    assertThat(walked).hasSize(298).startsWith("v1", "v2").endsWith("v298", "v299").doesNotContain("v0", "v50");
    for (int n = 299; n >= 1; n--) {
      p.remove(n);
    }
    assertThat(p.isEmpty()).isTrue();
    p.put(1000, "late");
    assertThat(p.get(1000)).isEqualTo("late");
    p.clear();
    assertThat(p.get(1000)).isNull();
    assertThat(p.size()).isZero();
  }

  @Test
  void numbersOnlyGoUp() {
    PendingSends<String> p = new PendingSends<>();
    p.put(5, "a");
    assertThatThrownBy(() -> p.put(5, "b")).isInstanceOf(IllegalArgumentException.class);
  }
}
