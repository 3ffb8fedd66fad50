package io.courier.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.net.PemTrustOptions;
import java.util.List;
import org.junit.jupiter.api.Test;

/** URLs, TLS trust and the inbox settings of the client's options. */
class CourierClientOptionsTest {
  @Test
  void aWsUrlSetsHostPortAndPath() {
    CourierClientOptions o = new CourierClientOptions().setUrl("ws://chat.example/ws");
    assertThat(o.isSsl()).isFalse();
    assertThat(o.getHost()).isEqualTo("chat.example");
    assertThat(o.getPort()).isEqualTo(80);
    assertThat(o.getPath()).isEqualTo("/ws");
    assertThat(new CourierClientOptions().setUrl("ws://127.0.0.1:9000").getPath()).isEqualTo("/ws");
  }

  @Test
  void aWssUrlTurnsTlsOn() {
    CourierClientOptions o = new CourierClientOptions().setUrl("WSS://chat.example:8443/courier/ws");
    assertThat(o.isSsl()).isTrue();
    assertThat(o.getPort()).isEqualTo(8443);
    assertThat(o.getPath()).isEqualTo("/courier/ws");
    assertThat(new CourierClientOptions().setUrl("wss://chat.example").getPort()).isEqualTo(443);
    o.setTrustPemFile("ca.pem").validate();
    assertThat(((PemTrustOptions) o.getTrustOptions()).getCertPaths()).containsExactly("ca.pem");
    CourierClientOptions copy = new CourierClientOptions(o);
    assertThat(copy.isSsl()).isTrue();
    assertThat(((PemTrustOptions) copy.getTrustOptions()).getCertPaths()).containsExactly("ca.pem");
  }

  @Test
  void otherUrlsAreRefused() {
    for (String bad : new String[] {"http://h/ws", "h:80", "wss:///ws", "ws://h/ws?token=x", "ws://u:p@h/ws", "ws://h/#f",
        "::"}) {
      assertThatThrownBy(() -> new CourierClientOptions().setUrl(bad)).as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void trustWithoutTlsIsAMistake() {
    CourierClientOptions o = new CourierClientOptions().setTrustPemFile("ca.pem");
    assertThatThrownBy(o::validate).hasMessageContaining("trust options need ssl");
  }

  @Test
  void theRecentKeysBoundAndAResumedPositionAreCopiedAndChecked() {
    assertThat(new CourierClientOptions().getMaxRecentKeys()).isEqualTo(CourierClientOptions.DEFAULT_MAX_RECENT_KEYS)
        .isEqualTo(10_000);
    CourierClientOptions o = new CourierClientOptions().setMaxRecentKeys(50)
        .setResumeFrom(new InboxPosition("e1", 9, "m9", 1234));
    CourierClientOptions copy = new CourierClientOptions(o);
    copy.validate();
    assertThat(copy.getMaxRecentKeys()).isEqualTo(50);
    assertThat(List.of(copy.getResumeEpoch(), copy.getResumeLastSeq(), copy.getResumeLastId(), copy.getResumeLastTs()))
        .containsExactly("e1", 9L, "m9", 1234L);
    CourierClientOptions old = new CourierClientOptions().setResumeFrom("e1", 9);
    assertThat(old.getResumeLastId()).isNull();
    assertThatThrownBy(() -> new CourierClientOptions().setMaxRecentKeys(0).validate())
        .hasMessageContaining("maxRecentKeys");
  }
}
