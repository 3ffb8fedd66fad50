package io.courier.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.protocol.ConfigKeys;
import io.courier.protocol.CourierConfig;
import io.courier.protocol.FrameParser;
import io.courier.protocol.JsonLimits;
import io.courier.testing.Nodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Tens of thousands of random and mutated frames ({@link FrameFuzzer}) over real WebSockets
 * against a real node, in rounds. Every text frame the parser refuses must get an error frame
 * (bad_frame or too_large) before the ping that follows it is answered, and no valid one may; every
 * frame that breaks the transport must end with its documented close (1002, 1007, 1009) and every
 * harmless control frame must leave the connection open. After each round a fresh client is
 * served, every session is gone, nothing is pending or queued, and the heap after a full GC may
 * not keep growing. Deterministic inputs: the seed is printed (set it with -Dfuzz.seed=N). Sizes
 * (-Dfuzz.rounds, -Dfuzz.text, -Dfuzz.raw, -Dfuzz.bridge) bound the run: by default 50,000 frames
 * (24,000 fuzzed text frames and as many pings, 400 transport-breaking or control frames, 1,600
 * bridge envelopes), which took 49 s on this 2-core machine while other builds kept its load
 * average near 20; the timeout is only a backstop against a hang.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FuzzTest {
  @RegisterExtension
  static final Nodes<CourierNode> nodes = InProcessNodes.named("fuzz");
  static final int MAX_FRAME = 8192;
  static final int TRANSPORT_LIMIT = 4 * MAX_FRAME;
  static final JsonLimits LIMITS = new JsonLimits(16, 256, 64, 2048);
  static final long SEED = Long.getLong("fuzz.seed", 0x5EEDC0DEL);
  static final int ROUNDS = Integer.getInteger("fuzz.rounds", 4);
  /** Per round: text frames on each of CLIENTS connections, and raw frame cases (one connection each). */
  static final int CLIENTS = 4;
  static final int TEXT_PER_CLIENT = Integer.getInteger("fuzz.text", 1500);
  static final int RAW_CASES = Integer.getInteger("fuzz.raw", 100);
  static final int RAW_STREAMS = 4;
  static final int BRIDGE_ENVELOPES = Integer.getInteger("fuzz.bridge", 400);
  static final int BATCH = 50;
  /**
   * Heap after GC may grow by at most this much from the second round to the last (measured: 1-3
   * MiB, the store's retained messages; a session leaked per connection would add about 10 MiB a round).
   */
  static final long HEAP_GROWTH_BOUND = 12L << 20;
  static final String SENTINEL = "\u00a7sentinel-";

  Vertx client;
  CourierNode node;

  @BeforeAll
  void start() {
    CourierConfig cfg = nodes.config()
        .with(ConfigKeys.MAX_FRAME_BYTES, MAX_FRAME)
        .with(ConfigKeys.MAX_JSON_DEPTH, LIMITS.maxDepth()).with(ConfigKeys.MAX_JSON_FIELDS, LIMITS.maxFields())
        .with(ConfigKeys.MAX_JSON_KEY_CHARS, LIMITS.maxKeyChars())
        .with(ConfigKeys.MAX_JSON_STRING_CHARS, LIMITS.maxStringChars())
        // The fuzz is about input handling: rates off, so nothing is refused for speed.
        .with(ConfigKeys.CONN_FRAMES_PER_S, 0).with(ConfigKeys.CONN_BYTES_PER_S, 0)
        .with(ConfigKeys.USER_SENDS_PER_S, 0)
        .with(ConfigKeys.RETENTION_MAX_MESSAGES, 10)
        .with(ConfigKeys.DEDUPE_WINDOW_MS, 2000);
    node = nodes.start(cfg);
    client = nodes.client();
  }

  @Test
  @org.junit.jupiter.api.Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES)
  void randomAndMutatedFramesNeverCrashLeakOrGoUnanswered() throws Exception {
    System.out.println("FuzzTest seed=" + SEED + " (rerun with -Dfuzz.seed=" + SEED + ")");
    long started = System.nanoTime();
    Random seeds = new Random(SEED);
    List<Long> heapAfterRounds = new ArrayList<>();
    long frames = 0;
    ExecutorService pool = Executors.newFixedThreadPool(CLIENTS + RAW_STREAMS);
    try {
      for (int round = 0; round < ROUNDS; round++) {
        long t0 = System.nanoTime();
        List<Future<Integer>> tasks = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
          long seed = seeds.nextLong();
          tasks.add(pool.submit(() -> textClient(seed)));
        }
        for (int r = 0; r < RAW_STREAMS; r++) {
          long seed = seeds.nextLong();
          tasks.add(pool.submit(() -> rawCases(seed, RAW_CASES / RAW_STREAMS)));
        }
        frames += bridge(seeds.nextLong());
        for (Future<Integer> f : tasks) {
          frames += f.get();
        }
        System.out.println("FuzzTest round " + round + ": " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        assertStillServesAndNothingLeft();
        heapAfterRounds.add(heapAfterGc());
      }
    } finally {
      pool.shutdownNow();
    }
    long ms = Duration.ofNanos(System.nanoTime() - started).toMillis();
    System.out.println("FuzzTest: " + frames + " frames in " + ROUNDS + " rounds, " + ms + " ms; heap after GC per round "
        + heapAfterRounds.stream().map(h -> (h >> 20) + " MiB").toList());
    long growth = heapAfterRounds.get(heapAfterRounds.size() - 1) - heapAfterRounds.get(1);
    assertThat(growth).as("heap growth after GC from round 2 to round %d", ROUNDS).isLessThan(HEAP_GROWTH_BOUND);
  }

  /** One connection, TEXT_PER_CLIENT fuzzed text frames, each followed by a sentinel ping; returns frames sent. */
  private int textClient(long seed) throws Exception {
    FrameFuzzer fuzz = new FrameFuzzer(seed);
    int sent = 0;
    try (RawWebSocket ws = new RawWebSocket(node.port(), nodes.token("fz-" + UUID.randomUUID()))) {
      ws.welcome();
      for (int base = 0; base < TEXT_PER_CLIENT; base += BATCH) {
        List<String> batch = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
          String f = fuzz.text(MAX_FRAME + 64);
          batch.add(f);
          ws.sendFrame(RawWebSocket.TEXT, true, 0, true, f.getBytes(StandardCharsets.UTF_8));
          ws.sendFrame(RawWebSocket.TEXT, true, 0, true, sentinel(base + i).getBytes(StandardCharsets.UTF_8));
        }
        ws.flush();
        sent += 2 * BATCH;
        for (int i = 0; i < BATCH; i++) {
          int refusals = 0;
          while (true) {
            RawWebSocket.Frame fr = ws.readFrame(Duration.ofSeconds(30));
            assertThat(fr).as("connection ended after frame %s (seed %d)", batch.get(i), seed).isNotNull();
            assertThat(fr.opcode()).as("closed after frame %s (seed %d)", batch.get(i), seed)
                .isNotEqualTo(RawWebSocket.CLOSE);
            if (fr.opcode() != RawWebSocket.TEXT) {
              continue;
            }
            JsonObject j = new JsonObject(fr.text());
            if ("pong".equals(j.getString("type")) && (SENTINEL + (base + i)).equals(j.getString("ref"))) {
              break;
            }
            if ("error".equals(j.getString("type"))
                && ("bad_frame".equals(j.getString("code")) || "too_large".equals(j.getString("code")))) {
              refusals++;
            }
          }
          String f = batch.get(i);
          boolean refused = expectedRefusal(f);
          if (refused) {
            assertThat(refusals).as("an error for %s (seed %d)", f, seed).isEqualTo(1);
          } else {
            assertThat(refusals).as("no error for the valid frame %s (seed %d)", f, seed).isZero();
          }
        }
      }
    }
    return sent;
  }

  private static String sentinel(int i) {
    return "{\"type\":\"ping\",\"ref\":\"" + SENTINEL + i + "\"}";
  }

  /** What the protocol says about a text frame: refused (too_large or bad_frame) or not. */
  private static boolean expectedRefusal(String frame) {
    byte[] bytes = frame.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > MAX_FRAME) {
      return true;
    }
    // What the server reads: a lone surrogate in the string went out as '?'.
    return !FrameParser.parse(new String(bytes, StandardCharsets.UTF_8), LIMITS).ok();
  }

  /** {@code n} raw frames, each on a connection of its own; returns frames sent. */
  private int rawCases(long seed, int n) throws Exception {
    FrameFuzzer fuzz = new FrameFuzzer(seed);
    for (int i = 0; i < n; i++) {
      FrameFuzzer.RawCase c = fuzz.raw(TRANSPORT_LIMIT);
      try (RawWebSocket ws = new RawWebSocket(node.port(), nodes.token("fzr-" + UUID.randomUUID()))) {
        ws.welcome();
        ws.sendFrame(c.opcode(), c.fin(), c.rsv(), c.masked(), c.payload());
        if (c.followedByContinuation()) {
          ws.sendFrame(RawWebSocket.CONTINUATION, true, 0, true, "\"}".getBytes(StandardCharsets.UTF_8));
        }
        ws.flush();
        if (c.harmless()) {
          ws.sendText(sentinel(i));
          assertThat(ws.nextJson("pong", Duration.ofSeconds(30)).getString("ref")).isEqualTo(SENTINEL + i);
        } else {
          assertThat(ws.awaitCloseCode(Duration.ofSeconds(30))).as("%s (seed %d, case %d)", c.what(), seed, i)
              .isEqualTo(c.expectedClose());
        }
      }
    }
    return n;
  }

  /** Fuzzed envelopes on one SockJS bridge socket: it must stay open and keep answering. */
  private int bridge(long seed) throws Exception {
    FrameFuzzer fuzz = new FrameFuzzer(seed);
    Random rnd = new Random(seed);
    String user = "fzb-" + UUID.randomUUID();
    try (RawWebSocket ws = new RawWebSocket(node.port(), "/eventbus/websocket?token=" + nodes.token(user), null, 0)) {
      ws.sendText(new JsonObject().put("type", "register").put("address", "courier.inbox." + user).encode());
      String[] addresses = {"courier.send", "courier.ack", "courier.sync", "courier.inbox." + user, "courier.node.x", ""};
      String[] types = {"send", "publish", "register", "unregister", "ping", "bogus"};
      for (int i = 0; i < BRIDGE_ENVELOPES; i++) {
        String envelope = switch (rnd.nextInt(4)) {
          case 0 -> fuzz.text(MAX_FRAME);
          case 1 -> "{\"type\":\"" + types[rnd.nextInt(types.length)] + "\",\"address\":\""
              + addresses[rnd.nextInt(addresses.length)] + "\",\"replyAddress\":\"x" + i + "\",\"body\":"
              + fuzz.text(MAX_FRAME / 2) + "}";
          default -> "{\"type\":\"send\",\"address\":\"" + addresses[rnd.nextInt(3)] + "\",\"replyAddress\":\"y" + i
              + "\",\"body\":" + fuzz.text(MAX_FRAME / 2) + "}";
        };
        if (envelope.contains("\"unregister\"")) {
          continue; // unregistering the inbox closes the socket by design (1000)
        }
        ws.sendFrame(RawWebSocket.TEXT, true, 0, true, envelope.getBytes(StandardCharsets.UTF_8));
        if (i % BATCH == BATCH - 1) {
          ws.flush();
          // A sync with a reply handler is always answered: the socket is alive and in order.
          String ref = "alive-" + i;
          ws.sendText(new JsonObject().put("type", "send").put("address", "courier.sync").put("replyAddress", ref)
              .put("body", new JsonObject().put("after", 0)).encode());
          while (true) {
            RawWebSocket.Frame fr = ws.readFrame(Duration.ofSeconds(30));
            assertThat(fr).as("bridge socket ended (seed %d)", seed).isNotNull();
            assertThat(fr.opcode()).as("bridge socket closed (seed %d)", seed).isNotEqualTo(RawWebSocket.CLOSE);
            if (fr.opcode() == RawWebSocket.TEXT && ref.equals(new JsonObject(fr.text()).getString("address"))) {
              break;
            }
          }
        }
      }
    }
    return BRIDGE_ENVELOPES;
  }

  private void assertStillServesAndNothingLeft() {
    String fresh = "fresh-" + UUID.randomUUID();
    try (WsProbe p = WsProbe.connect(client, node.port(), nodes.token(fresh))) {
      p.next("welcome");
      p.send(new JsonObject().put("type", "send").put("id", "ok").put("to", fresh).put("body", "still here"));
      p.next("sent");
      assertThat(p.next("msg").getString("body")).isEqualTo("still here");
    }
    Scrape.await(client, node.port(), Duration.ofSeconds(30), s -> s.value("courier_connections") == 0
        && s.value("courier_sends_pending") == 0 && s.value("courier_outbound_queued_bytes") == 0
        && s.value("courier_outbound_queued_frames") == 0 && s.value("courier_unacked_messages") == 0);
    assertThat(node.connections()).isZero();
  }

  /** Heap used after full collections, once it stops shrinking. */
  private static long heapAfterGc() {
    long last = Long.MAX_VALUE;
    for (int i = 0; i < 10; i++) {
      System.gc();
      long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      if (used >= last - (1 << 20)) {
        return Math.min(used, last);
      }
      last = used;
    }
    return last;
  }
}
