package io.courier.delivery.store.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DedupeRecordsTest {

  @Test
  void findsWhatWasPutAndForgetsWhatWasRemoved() {
    DedupeRecords d = new DedupeRecords();
    assertThat(d.find("a")).isNegative();
    assertThat(d.oldest()).isNegative();
    assertThat(d.put("a", 1, 10, 7, 100)).isTrue();
    assertThat(d.put("b", 2, 20, 8, 200)).isTrue();
    int a = d.find("a");
    assertThat(new long[] {d.seq(a), d.ts(a), d.attempt(a), d.expiresAt(a)}).containsExactly(1, 10, 7, 100);
    assertThat(d.key(d.oldest())).isEqualTo("a");
    d.remove(a);
    assertThat(d.find("a")).isNegative();
    assertThat(d.size()).isEqualTo(1);
    assertThat(d.key(d.oldest())).isEqualTo("b");
  }

  @Test
  void aKeyPutAgainMovesToTheEndWithItsNewNumbers() {
    DedupeRecords d = new DedupeRecords();
    d.put("a", 1, 10, 1, 100);
    d.put("b", 2, 20, 1, 200);
    assertThat(d.put("a", 1, 10, 2, 300)).isFalse();
    assertThat(keysInOrder(d)).containsExactly("b", "a");
    assertThat(d.attempt(d.find("a"))).isEqualTo(2);
    assertThat(d.size()).isEqualTo(2);
  }

  /** Keys whose hashes collide share a probe run; removing one must keep the others findable. */
  @Test
  void collidingKeysStayFindableAcrossRemovals() {
    DedupeRecords d = new DedupeRecords();
    // "Aa" and "BB" have the same String hash, and so do their concatenations.
    List<String> keys = List.of("AaAa", "AaBB", "BBAa", "BBBB", "AaAaAa", "BBBBBB");
    for (int i = 0; i < keys.size(); i++) {
      d.put(keys.get(i), i, i, i, i);
    }
    d.remove(d.find("AaBB"));
    d.remove(d.find("AaAa"));
    assertThat(d.find("AaAa")).isNegative();
    assertThat(d.find("AaBB")).isNegative();
    for (String k : List.of("BBAa", "BBBB", "AaAaAa", "BBBBBB")) {
      assertThat(d.key(d.find(k))).isEqualTo(k);
    }
  }

  /**
   * Random puts, re-puts, removals of the oldest (expiry) and of any record (backups), against a
   * LinkedHashMap doing the same: contents, order and numbers agree after every step, through
   * growth, compaction and the ring's wrap-around.
   */
  @Test
  void behavesAsAnInsertionOrderedMap() {
    Random rnd = new Random(42);
    DedupeRecords d = new DedupeRecords();
    LinkedHashMap<String, long[]> model = new LinkedHashMap<>();
    for (int step = 0; step < 50_000; step++) {
      int op = rnd.nextInt(10);
      // A small key space keeps re-puts and hash collisions in the index common.
      String key = "k" + rnd.nextInt(step < 25_000 ? 300 : 40);
      if (op < 5) {
        long[] v = {rnd.nextLong(), rnd.nextLong(), rnd.nextInt(5), rnd.nextLong()};
        boolean fresh = model.remove(key) == null;
        model.put(key, v);
        assertThat(d.put(key, v[0], v[1], v[2], v[3])).isEqualTo(fresh);
      } else if (op < 8) {
        int oldest = d.oldest();
        if (!model.isEmpty()) {
          String first = model.keySet().iterator().next();
          assertThat(d.key(oldest)).isEqualTo(first);
          model.remove(first);
          d.remove(oldest);
        } else {
          assertThat(oldest).isNegative();
        }
      } else {
        int slot = d.find(key);
        assertThat(slot >= 0).isEqualTo(model.containsKey(key));
        if (slot >= 0) {
          model.remove(key);
          d.remove(slot);
        }
      }
      if (step % 97 == 0 || step > 49_900) {
        assertSame(model, d);
      }
    }
    assertSame(model, d);
  }

  private static void assertSame(LinkedHashMap<String, long[]> model, DedupeRecords d) {
    assertThat(d.size()).isEqualTo(model.size());
    assertThat(d.isEmpty()).isEqualTo(model.isEmpty());
    assertThat(keysInOrder(d)).containsExactlyElementsOf(model.keySet());
    for (Map.Entry<String, long[]> e : model.entrySet()) {
      int s = d.find(e.getKey());
      assertThat(new long[] {d.seq(s), d.ts(s), d.attempt(s), d.expiresAt(s)}).as(e.getKey()).containsExactly(e.getValue());
    }
  }

  private static List<String> keysInOrder(DedupeRecords d) {
    List<String> keys = new ArrayList<>();
    for (int s = d.oldest(); s >= 0; s = d.next(s)) {
      keys.add(d.key(s));
    }
    return keys;
  }
}
