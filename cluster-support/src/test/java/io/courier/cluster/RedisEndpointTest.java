package io.courier.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.vertx.core.net.NetClientOptions;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The Redis URL is printed only with its password as ***, and rediss:// turns TLS on. */
class RedisEndpointTest {

  @Test
  void thePasswordIsRedactedWithAndWithoutAUser() {
    assertThat(RedisEndpoint.redacted("redis://:s3cret@127.0.0.1:6380/0")).isEqualTo("redis://:***@127.0.0.1:6380/0");
    assertThat(RedisEndpoint.redacted("rediss://courier:s3cret@redis.example:6380/2"))
        .isEqualTo("rediss://courier:***@redis.example:6380/2");
    assertThat(RedisEndpoint.redacted("redis://s3cret@127.0.0.1:6380")).isEqualTo("redis://:***@127.0.0.1:6380");
    // A password holding '@' or ':' (URL-encoded or not) is still wholly hidden.
    assertThat(RedisEndpoint.redacted("redis://u:p@ss:w0rd@127.0.0.1:6380/0")).isEqualTo("redis://u:***@127.0.0.1:6380/0");
    assertThat(RedisEndpoint.redacted("redis://127.0.0.1:6379/0")).isEqualTo("redis://127.0.0.1:6379/0");
  }

  @Test
  void errorTextsLoseThePasswordPlainAndDecoded() {
    String url = "redis://u:p%40ss@127.0.0.1:6380/0";
    assertThat(RedisEndpoint.scrub("connect to " + url + " failed: p@ss rejected", url))
        .doesNotContain("p%40ss").doesNotContain("p@ss").contains("***");
    assertThat(RedisEndpoint.scrub("nothing secret here", "redis://127.0.0.1:6379/0")).isEqualTo("nothing secret here");
  }

  @Test
  void refusedCredentialsNameTheSettingWithoutThePassword() {
    CourierConfig cfg = CourierConfig.defaults().with(ConfigKeys.REDIS_URL, "redis://:hunter2-hunter2@127.0.0.1:1/0");
    String msg = RedisEndpoint.startFailure(new IllegalStateException("WRONGPASS invalid username-password pair"), cfg);
    assertThat(msg).contains("COURIER_REDIS_URL").contains("redis://:***@127.0.0.1:1/0").doesNotContain("hunter2");
    assertThat(RedisEndpoint.startFailure(new java.net.ConnectException("Connection refused"), cfg)).isNull();
  }

  @Test
  void redissTurnsTlsOnWithTheCaFile() throws IOException {
    java.nio.file.Path ca = java.nio.file.Files.createTempFile("ca", ".pem");
    NetClientOptions plain = RedisEndpoint.configure(new NetClientOptions(),
        CourierConfig.defaults().with(ConfigKeys.REDIS_URL, "redis://127.0.0.1:6379/0"));
    assertThat(plain.isSsl()).isFalse();
    NetClientOptions tls = RedisEndpoint.configure(new NetClientOptions(), CourierConfig.defaults()
        .with(ConfigKeys.REDIS_URL, "rediss://127.0.0.1:6380/0").with(ConfigKeys.REDIS_TLS_CA_FILE, ca.toString()));
    assertThat(tls.isSsl()).isTrue();
    assertThat(tls.getHostnameVerificationAlgorithm()).isEqualTo("HTTPS");
    assertThat(tls.getTrustOptions()).isNotNull();
  }
}
