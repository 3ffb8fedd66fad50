package io.courier.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-written JSON of the message path is character for character what Json.encode writes. */
class JsonTextTest {
  @Test
  void everyCharacterIsWrittenAsJsonEncodeWritesIt() {
    for (int c = 0; c <= 0xFFFF; c++) {
      String s = "a" + (char) c + "b";
      assertThat(JsonText.quote(s)).as("U+%04X", c).isEqualTo(Json.encode(s));
    }
  }

  @Test
  void randomStringsSurrogatePairsAndEmpty() {
    Random r = new Random(42);
    for (int i = 0; i < 5_000; i++) {
      StringBuilder b = new StringBuilder();
      int n = r.nextInt(20);
      for (int j = 0; j < n; j++) {
        switch (r.nextInt(4)) {
          case 0 -> b.append((char) r.nextInt(0x20));
          case 1 -> b.append("\"\\/");
          case 2 -> b.appendCodePoint(0x1F600 + r.nextInt(50));
          default -> b.append((char) (0x20 + r.nextInt(0x60)));
        }
      }
      String s = b.toString();
      assertThat(JsonText.quote(s)).isEqualTo(Json.encode(s));
    }
    assertThat(JsonText.quote("")).isEqualTo(Json.encode(""));
    assertThat(JsonText.quote((String) null)).isEqualTo("null");
  }

  @Test
  void sentTextIsTheSentFrameEncoded() {
    for (String ref : new String[] {null, "r-1", "q\"uote\n"}) {
      for (boolean dup : new boolean[] {false, true}) {
        String id = "m-\u00e9\t" + dup;
        String text = ServerFrames.sentText(id, 1_733_600_000_123L, dup, ref);
        assertThat(text).isEqualTo(ServerFrames.sent(id, 1_733_600_000_123L, dup, ref).encode());
        assertThat(new JsonObject(text).getString("type")).isEqualTo(FrameTypes.SENT);
      }
    }
  }
}
