package io.courier.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.connection.handshake.OriginPolicy;
import io.courier.connection.handshake.WsHandshake;
import io.courier.connection.session.Session;
import java.util.List;
import org.junit.jupiter.api.Test;

class SmallPartsTest {

  @Test
  void originAllowlist() {
    OriginPolicy p = new OriginPolicy(List.of("https://app.example", "http://localhost:3000/"));
    assertThat(p.allows("https://app.example")).isTrue();
    assertThat(p.allows("HTTPS://APP.EXAMPLE")).isTrue();
    assertThat(p.allows("http://localhost:3000")).isTrue();
    assertThat(p.allows("https://evil.example")).isFalse();
    assertThat(p.allows(null)).isTrue();
    assertThat(new OriginPolicy(List.of()).allows("https://any.example")).isTrue();
  }

  @Test
  void utf8LengthCountsBytes() {
    assertThat(Session.utf8Length("abc")).isEqualTo(3);
    assertThat(Session.utf8Length("\u00e9")).isEqualTo(2);
    assertThat(Session.utf8Length("\u20ac")).isEqualTo(3);
    assertThat(Session.utf8Length("\uD83D\uDE00")).isEqualTo(4);
  }

  @Test
  void bearerHeader() {
    assertThat(WsHandshake.bearer("Bearer abc.def.ghi")).isEqualTo("abc.def.ghi");
    assertThat(WsHandshake.bearer("bearer  x")).isEqualTo("x");
    assertThat(WsHandshake.bearer("Basic x")).isNull();
    assertThat(WsHandshake.bearer(null)).isNull();
  }
}
