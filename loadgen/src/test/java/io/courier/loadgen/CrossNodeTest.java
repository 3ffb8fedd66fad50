package io.courier.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Spreading connections over several nodes' ports, and choosing recipients on another node. */
class CrossNodeTest {

  @Test
  void everyRecipientIsOnAnotherPortAndEveryOtherUserCanBeChosen() {
    Random rnd = new Random(7);
    for (int k : new int[] {2, 3}) {
      for (int n : new int[] {2 * k, 10, 11}) {
        for (int from = 0; from < n; from++) {
          Set<Integer> seen = new HashSet<>();
          for (int t = 0; t < 2000; t++) {
            int to = Bench.onAnotherPort(from, n, k, rnd);
            assertThat(to).isBetween(0, n - 1);
            assertThat(to % k).as("n=%d k=%d from=%d", n, k, from).isNotEqualTo(from % k);
            seen.add(to);
          }
          int column = from % k;
          int modulus = k;
          long reachable = java.util.stream.IntStream.range(0, n).filter(i -> i % modulus != column).count();
          assertThat(seen).hasSize((int) reachable);
        }
      }
    }
  }

  @Test
  void portsAndCrossNodeAreParsedAndChecked() {
    Options o = Options.parse(new String[] {"chat", "--duration", "1s", "--ports", "8081, 8082", "--cross-node"});
    assertThat(o.ports).containsExactly(8081, 8082);
    assertThat(o.crossNode).isTrue();
    assertThatThrownBy(() -> Options.parse(new String[] {"chat", "--duration", "1s", "--ports", "8081", "--cross-node"}))
        .hasMessageContaining("at least two ports");
    assertThatThrownBy(() -> Options.parse(new String[] {"idle", "--duration", "1s", "--ports", "8081,8082", "--cross-node"}))
        .hasMessageContaining("chat and soak only");
    assertThatThrownBy(() -> Options.parse(new String[] {"chat", "--duration", "1s", "--ports", "8081,x"}))
        .isInstanceOf(Options.UsageException.class);
  }
}
