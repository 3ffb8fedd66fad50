package io.courier.presence;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class OrphansTest {
  @Test
  void orphansAreMembersOutsideTheClusterWithoutALease() {
    assertThat(Orphans.of(Set.of("live", "leased", "gone"), Set.of("live"), Set.of("leased", "other")))
        .containsExactly("gone");
  }
}
