package io.courier.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The load generator's own CPU per message, and its merge across shard processes. */
class LoadCpuTest {
  @Test
  void processCpuIsReadAndGrows() {
    long before = LoadCpu.processCpuNanos();
    long x = 0;
    for (int i = 0; i < 50_000_000; i++) {
      x += i ^ (x >>> 3);
    }
    assertThat(x).isNotZero();
    assertThat(LoadCpu.processCpuNanos()).isGreaterThan(before);
  }

  @Test
  void shardsAddTheirCpuAndMessages() {
    JsonObject a = new JsonObject().put("messages", 1000L).put("cpuMs", 10L).put("cpuMicrosPerMessage", 10.0);
    JsonObject b = new JsonObject().put("messages", 3000L).put("cpuMs", 30L).put("cpuMicrosPerMessage", 10.0);
    JsonObject m = LoadCpu.merge(a, b);
    assertThat(m.getLong("messages")).isEqualTo(4000L);
    assertThat(m.getLong("cpuMs")).isEqualTo(40L);
    assertThat(m.getDouble("cpuMicrosPerMessage")).isEqualTo(10.0);
    JsonObject unknown = new JsonObject().put("messages", 5L).putNull("cpuMs").putNull("cpuMicrosPerMessage");
    assertThat(LoadCpu.merge(a, unknown).getValue("cpuMs")).isNull();
  }
}
