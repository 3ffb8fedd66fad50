package io.courier.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutboxTest {

  private static Outbox<String> box(int max) {
    return new Outbox<>(max, 1_000_000);
  }

  private static void add(Outbox<String> b, String id) {
    b.add(id, "frame-" + id, 10, "p-" + id);
  }

  private static List<String> writeAll(Outbox<String> b, long now) {
    List<String> ids = new ArrayList<>();
    Outbox.Entry<String> e;
    while ((e = b.nextToWrite(now)) != null) {
      ids.add(e.id);
    }
    return ids;
  }

  @Test
  void writesInQueueOrderAndKeepsEntriesUntilRemoved() {
    Outbox<String> b = box(10);
    add(b, "a");
    add(b, "b");
    add(b, "c");
    assertThat(writeAll(b, 1)).containsExactly("a", "b", "c");
    assertThat(b.size()).isEqualTo(3);
    assertThat(b.inFlight()).isEqualTo(3);
    assertThat(b.unwritten()).isZero();
    Outbox.Entry<String> a = b.remove("a");
    assertThat(a.attachment).isEqualTo("p-a");
    assertThat(a.frame).isEqualTo("frame-a");
    assertThat(b.size()).isEqualTo(2);
    assertThat(b.remove("a")).isNull();
  }

  @Test
  void refusesWhenFullByCountOrBytesAndNamesDuplicates() {
    Outbox<String> b = new Outbox<>(2, 25);
    assertThat(b.check("a", 10)).isNull();
    add(b, "a");
    assertThat(b.check("a", 10)).isEqualTo(Outbox.Refusal.DUPLICATE_ID);
    assertThat(b.check("b", 16)).isEqualTo(Outbox.Refusal.FULL);
    add(b, "b");
    assertThat(b.check("c", 1)).isEqualTo(Outbox.Refusal.FULL);
    assertThatThrownBy(() -> add(b, "c")).isInstanceOf(IllegalStateException.class);
    assertThat(b.bytes()).isEqualTo(20);
    b.remove("a");
    assertThat(b.check("c", 10)).isNull();
    assertThat(b.bytes()).isEqualTo(10);
  }

  @Test
  void afterAConnectionLossEverythingUnconfirmedIsWrittenAgainInOriginalOrder() {
    Outbox<String> b = box(10);
    for (String id : List.of("a", "b", "c", "d")) {
      add(b, id);
    }
    b.nextToWrite(1);
    b.nextToWrite(1);
    b.nextToWrite(1);
    b.remove("b"); // confirmed
    assertThat(b.unwriteAll()).isEqualTo(2);
    assertThat(writeAll(b, 2)).containsExactly("a", "c", "d");
    Outbox.Entry<String> a = b.get("a");
    assertThat(a.writes).isEqualTo(2);
    assertThat(a.id).isEqualTo("a");
  }

  @Test
  void aRetriedEntryGoesBackToItsPlaceInLine() {
    Outbox<String> b = box(10);
    for (String id : List.of("a", "b", "c")) {
      add(b, id);
    }
    b.nextToWrite(1); // a
    b.nextToWrite(1); // b
    Outbox.Entry<String> retried = b.retry("a");
    assertThat(retried.retries).isEqualTo(1);
    assertThat(b.retry("a")).as("not written: nothing to retry").isNull();
    assertThat(b.retry("zzz")).isNull();
    assertThat(writeAll(b, 2)).containsExactly("a", "c");
    assertThat(b.inFlight()).isEqualTo(3);
  }

  @Test
  void unansweredWritesAreReturnedAfterTheirDeadline() {
    Outbox<String> b = box(10);
    add(b, "a");
    add(b, "b");
    b.nextToWrite(100);
    b.nextToWrite(200);
    assertThat(b.unwriteOlderThan(150)).extracting(e -> e.id).containsExactly("a");
    assertThat(b.unwriteOlderThan(150)).isEmpty();
    assertThat(b.unwritten()).isEqualTo(1);
    assertThat(b.nextToWrite(300).id).isEqualTo("a");
  }

  @Test
  void aConfirmationMayArriveForAnEntryWaitingToBeWrittenAgain() {
    Outbox<String> b = box(10);
    add(b, "a");
    b.nextToWrite(1);
    b.unwriteAll();
    assertThat(b.remove("a")).isNotNull();
    assertThat(b.nextToWrite(2)).isNull();
    assertThat(b.size()).isZero();
    assertThat(b.bytes()).isZero();
  }

  @Test
  void drainReturnsEverythingOldestFirst() {
    Outbox<String> b = box(10);
    for (String id : List.of("a", "b", "c")) {
      add(b, id);
    }
    b.nextToWrite(1);
    b.nextToWrite(1);
    b.retry("a");
    assertThat(b.drain()).extracting(e -> e.id).containsExactly("a", "b", "c");
    assertThat(b.size()).isZero();
    assertThat(b.bytes()).isZero();
    assertThat(b.nextToWrite(1)).isNull();
  }

  @Test
  void rejectsNonPositiveLimits() {
    assertThatThrownBy(() -> new Outbox<String>(0, 10)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Outbox<String>(10, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
