package io.courier.connection.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.connection.session.OutboundQueue;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** UTF-8 validation, message assembly at the transport limit, and the outbound queue's accounting. */
class InputPartsTest {

  private static Buffer bytes(int... b) {
    Buffer out = Buffer.buffer();
    for (int x : b) {
      out.appendByte((byte) x);
    }
    return out;
  }

  @Test
  void utf8AcceptsEveryWellFormedSequenceAndRefusesTheRest() {
    assertThat(Utf8Validator.valid(Buffer.buffer("plain ascii", "UTF-8"))).isTrue();
    assertThat(Utf8Validator.valid(Buffer.buffer("\u00e9\u20ac\uD83D\uDE00\uFFFD", "UTF-8"))).isTrue();
    assertThat(Utf8Validator.valid(bytes(0xF4, 0x8F, 0xBF, 0xBF))).as("U+10FFFF").isTrue();
    assertThat(Utf8Validator.valid(bytes(0xC0, 0xAF))).as("overlong /").isFalse();
    assertThat(Utf8Validator.valid(bytes(0xE0, 0x80, 0xAF))).as("overlong 3-byte").isFalse();
    assertThat(Utf8Validator.valid(bytes(0xED, 0xA0, 0x80))).as("surrogate").isFalse();
    assertThat(Utf8Validator.valid(bytes(0xF4, 0x90, 0x80, 0x80))).as("past U+10FFFF").isFalse();
    assertThat(Utf8Validator.valid(bytes(0xFF))).isFalse();
    assertThat(Utf8Validator.valid(bytes(0x80))).as("lone continuation").isFalse();
    assertThat(Utf8Validator.valid(bytes(0xE2, 0x82))).as("cut short").isFalse();
  }

  @Test
  void utf8ValidatesAcrossFragmentBoundaries() {
    Utf8Validator v = new Utf8Validator();
    assertThat(v.feed(bytes(0x61, 0xE2))).isTrue();
    assertThat(v.complete()).isFalse();
    assertThat(v.feed(bytes(0x82, 0xAC))).isTrue();
    assertThat(v.complete()).isTrue();
  }

  /** Records what the assembler hands on. */
  private static final class Recorder implements MessageAssembler.Sink {
    final List<String> events = new ArrayList<>();

    @Override
    public void text(String text) {
      events.add("text:" + text);
    }

    @Override
    public void binary(int bytes) {
      events.add("binary:" + bytes);
    }

    @Override
    public void tooLarge(long bytesSoFar) {
      events.add("tooLarge");
    }

    @Override
    public void invalidUtf8() {
      events.add("invalidUtf8");
    }
  }

  private static Buffer utf8(String s) {
    return Buffer.buffer(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void fragmentsJoinIntoOneMessageAndAMessageOfExactlyTheLimitPasses() {
    Recorder r = new Recorder();
    MessageAssembler a = new MessageAssembler(10, r);
    a.frame(MessageAssembler.Kind.TEXT, utf8("abc\u00e9"), false);
    a.frame(MessageAssembler.Kind.CONTINUATION, utf8("12345"), true);
    a.frame(MessageAssembler.Kind.TEXT, utf8("0123456789"), true);
    a.frame(MessageAssembler.Kind.BINARY, bytes(1, 2, 3), false);
    a.frame(MessageAssembler.Kind.CONTINUATION, bytes(4), true);
    assertThat(r.events).containsExactly("text:abc\u00e912345", "text:0123456789", "binary:4");
  }

  @Test
  void oneByteOverTheLimitFailsAndTheRestOfTheStreamIsIgnored() {
    Recorder r = new Recorder();
    MessageAssembler a = new MessageAssembler(10, r);
    a.frame(MessageAssembler.Kind.TEXT, utf8("012345"), false);
    a.frame(MessageAssembler.Kind.CONTINUATION, utf8("67890"), false);
    a.frame(MessageAssembler.Kind.CONTINUATION, utf8("x"), true);
    a.frame(MessageAssembler.Kind.TEXT, utf8("ok"), true);
    assertThat(r.events).containsExactly("tooLarge");
    Recorder single = new Recorder();
    new MessageAssembler(10, single).frame(MessageAssembler.Kind.TEXT, utf8("01234567890"), true);
    assertThat(single.events).containsExactly("tooLarge");
  }

  @Test
  void invalidUtf8FailsInOneFrameAndAcrossFragments() {
    Recorder r = new Recorder();
    new MessageAssembler(100, r).frame(MessageAssembler.Kind.TEXT, bytes(0x7B, 0xC3, 0x28, 0x7D), true);
    assertThat(r.events).containsExactly("invalidUtf8");
    Recorder split = new Recorder();
    MessageAssembler a = new MessageAssembler(100, split);
    a.frame(MessageAssembler.Kind.TEXT, bytes(0x61, 0xE2, 0x82), false);
    a.frame(MessageAssembler.Kind.CONTINUATION, bytes(0x41), true);
    assertThat(split.events).containsExactly("invalidUtf8");
    Recorder cut = new Recorder();
    MessageAssembler c = new MessageAssembler(100, cut);
    c.frame(MessageAssembler.Kind.TEXT, bytes(0x61, 0xE2, 0x82), false);
    c.frame(MessageAssembler.Kind.CONTINUATION, bytes(), true);
    assertThat(cut.events).as("ends inside a character").containsExactly("invalidUtf8");
  }

  @Test
  void outboundQueueRefusesPastEitherLimitAndPacesWritersBetweenHalfAndAQuarter() {
    OutboundQueue q = new OutboundQueue(100, 8);
    assertThat(q.offer(60)).isTrue();
    assertThat(q.congested()).isTrue();
    assertThat(q.offer(40)).as("exactly the byte limit").isTrue();
    assertThat(q.offer(1)).isFalse();
    assertThat(q.bytes()).isEqualTo(100);
    boolean[] resumed = {false};
    q.whenDrained(() -> resumed[0] = true);
    q.done(40);
    assertThat(resumed[0]).as("60 bytes is still above a quarter").isFalse();
    q.done(60);
    assertThat(resumed[0]).isTrue();
    assertThat(q.frames()).isZero();
    OutboundQueue frames = new OutboundQueue(0, 3);
    assertThat(frames.offer(1_000_000)).isTrue();
    assertThat(frames.offer(1)).isTrue();
    assertThat(frames.offer(1)).isTrue();
    assertThat(frames.offer(1)).as("past 3 frames").isFalse();
  }
}
