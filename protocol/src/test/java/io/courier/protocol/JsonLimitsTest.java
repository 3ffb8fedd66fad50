package io.courier.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Each JSON shape limit exactly at its edge, and the ref a refusal can still echo. */
class JsonLimitsTest {
  private static final JsonLimits LIMITS = new JsonLimits(4, 10, 8, 16);

  private static String nested(int levels) {
    // The frame object is level 1; each "x":[ adds one.
    return "{\"type\":\"ping\",\"x\":" + "[".repeat(levels - 1) + "]".repeat(levels - 1) + "}";
  }

  @Test
  void depthAtTheLimitPassesOneMoreFails() {
    assertThat(LIMITS.check(nested(4))).isNull();
    JsonLimits.Violation v = LIMITS.check(nested(5));
    assertThat(v).isNotNull();
    assertThat(v.message()).contains("deeper than 4");
  }

  @Test
  void fieldsCountMembersAndElementsAtEveryLevel() {
    // type, ref, a (3 members) + 7 elements = 10 fields
    String ten = "{\"type\":\"ping\",\"ref\":\"r\",\"a\":[1,2,3,4,5,6,7]}";
    assertThat(LIMITS.check(ten)).isNull();
    JsonLimits.Violation v = LIMITS.check("{\"type\":\"ping\",\"ref\":\"r\",\"a\":[1,2,3,4,5,6,7,8]}");
    assertThat(v.message()).contains("more than 10");
    assertThat(v.ref()).as("the top-level ref is still found").isEqualTo("r");
  }

  @Test
  void keyAndStringLengthsAtTheLimitPassOneMoreFails() {
    assertThat(LIMITS.check("{\"type\":\"ping\",\"abcdefgh\":1}")).isNull();
    assertThat(LIMITS.check("{\"type\":\"ping\",\"abcdefghi\":1}").message()).contains("member name");
    assertThat(LIMITS.check("{\"type\":\"ping\",\"s\":\"" + "x".repeat(16) + "\"}")).isNull();
    assertThat(LIMITS.check("{\"type\":\"ping\",\"s\":\"" + "x".repeat(17) + "\"}").message()).contains("string");
  }

  @Test
  void aSendPastALimitEchoesItsIdWhenItHasNoRef() {
    JsonLimits.Violation v = LIMITS.check("{\"type\":\"send\",\"body\":[[[[[1]]]]],\"id\":\"m-1\",\"to\":\"b\"}");
    assertThat(v.ref()).isEqualTo("m-1");
    JsonLimits.Violation withRef = LIMITS.check("{\"ref\":\"r2\",\"type\":\"send\",\"id\":\"m-2\",\"body\":[[[[[1]]]]]}");
    assertThat(withRef.ref()).isEqualTo("r2");
  }

  @Test
  void refInsideANestedObjectIsNotTheFramesRef() {
    JsonLimits.Violation v = LIMITS.check("{\"type\":\"ping\",\"o\":{\"ref\":\"inner\",\"d\":[[[1]]]}}");
    assertThat(v).isNotNull();
    assertThat(v.ref()).isNull();
  }

  @Test
  void deepNestingFarPastTheParsersOwnLimitIsStillRefusedWithoutOverflow() {
    String deep = "{\"type\":\"ping\",\"x\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
    JsonLimits.Violation v = LIMITS.check(deep);
    assertThat(v).isNotNull();
    FrameParser.Result r = FrameParser.parse(deep, LIMITS);
    assertThat(r.ok()).isFalse();
    assertThat(r.error().code()).isEqualTo(ErrorCodes.BAD_FRAME);
  }

  @Test
  void malformedJsonIsLeftToTheParser() {
    assertThat(LIMITS.check("{\"type\":")).isNull();
    assertThat(LIMITS.check("not json")).isNull();
    assertThat(FrameParser.parse("not json", LIMITS).error().message()).isEqualTo("frame is not valid JSON");
  }

  @Test
  void framesWithinTheLimitsParseAsBefore() {
    FrameParser.Result r = FrameParser.parse("{\"type\":\"ack\",\"seq\":3}", LIMITS);
    assertThat(r.ok()).isTrue();
  }

  @Test
  void limitsComeFromTheSettingsAndMustBePositive() {
    JsonLimits d = JsonLimits.from(CourierConfig.defaults());
    assertThat(d).isEqualTo(new JsonLimits(32, 16384, 256, 65536));
    assertThatThrownBy(() -> JsonLimits.from(CourierConfig.defaults().with(ConfigKeys.MAX_JSON_DEPTH, 0)))
        .hasMessageContaining("COURIER_MAX_JSON_DEPTH");
  }
}
