package io.courier.loadgen;

import java.util.BitSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The delivery check of a run. Every message is (sender index, number), and its body carries both
 * and the send time. Per sender a bit set of confirmed numbers (the server answered `sent`) and one
 * of delivered numbers (a recipient saw it; a second arrival of a number already delivered under a
 * NEW seq is a duplicate the server stored twice, which must never happen). Lost = confirmed and
 * never delivered. Latency (send to receive, same process, nanoTime) goes to an HdrHistogram.
 */
final class Delivery {
  /** Up to an hour, 3 significant digits. */
  static final long MAX_LATENCY_NANOS = TimeUnit.HOURS.toNanos(1);

  private final BitSet[] confirmed;
  private final BitSet[] delivered;
  private final AtomicLongArray expectedPerRecipient;
  private final AtomicLongArray receivedPerRecipient;
  /**
   * Room runs: every room message has a run-wide number g; confirmed room messages by g, and per
   * recipient the g's it received. Every member (the sender included) must receive every confirmed one.
   */
  private final BitSet roomConfirmed = new BitSet();
  private final BitSet[] roomDelivered;
  private final java.util.concurrent.atomic.AtomicInteger nextRoomMessage = new java.util.concurrent.atomic.AtomicInteger();
  private volatile boolean room;
  final LongAdder sent = new LongAdder();
  final LongAdder confirmedCount = new LongAdder();
  /** Confirmed sends to users outside the fleet (slow consumers), not expected to arrive. */
  final LongAdder untrackedConfirmed = new LongAdder();
  final LongAdder received = new LongAdder();
  final LongAdder duplicated = new LongAdder();
  final LongAdder redelivered = new LongAdder();
  final LongAdder rejected = new LongAdder();
  final LongAdder errors = new LongAdder();
  /** Error frames answering sends, by code (resent ones included): what the server pushed back with. */
  final java.util.concurrent.ConcurrentHashMap<String, LongAdder> errorCodes = new java.util.concurrent.ConcurrentHashMap<>();
  private final Recorder recorder = new Recorder(MAX_LATENCY_NANOS, 3);
  private final Histogram total = new Histogram(MAX_LATENCY_NANOS, 3);
  private volatile long lastReceiveNanos;

  Delivery(int users) {
    confirmed = new BitSet[users];
    delivered = new BitSet[users];
    for (int i = 0; i < users; i++) {
      confirmed[i] = new BitSet();
      delivered[i] = new BitSet();
    }
    expectedPerRecipient = new AtomicLongArray(users);
    receivedPerRecipient = new AtomicLongArray(users);
    roomDelivered = new BitSet[users];
    for (int i = 0; i < users; i++) {
      roomDelivered[i] = new BitSet();
    }
  }

  /** A new room message's number; from then on lost and duplicated count per member. */
  int nextRoomMessage() {
    room = true;
    return nextRoomMessage.getAndIncrement();
  }

  void onRoomConfirmed(int g) {
    synchronized (roomConfirmed) {
      if (roomConfirmed.get(g)) {
        return;
      }
      roomConfirmed.set(g);
    }
    confirmedCount.increment();
  }

  /** Room message g reached {@code recipient} under a seq it had not seen. */
  void onRoomReceived(int g, int recipient, long sentNanos) {
    if (g < 0 || recipient < 0 || recipient >= roomDelivered.length) {
      errors.increment();
      return;
    }
    BitSet d = roomDelivered[recipient];
    synchronized (d) {
      if (d.get(g)) {
        duplicated.increment();
        return;
      }
      d.set(g);
    }
    received.increment();
    long now = System.nanoTime();
    lastReceiveNanos = now;
    recorder.recordValue(Math.min(MAX_LATENCY_NANOS, Math.max(0, now - sentNanos)));
  }

  /** Per recipient, the confirmed room messages it has not received. */
  private long roomMissing(boolean countRecipients) {
    BitSet c;
    synchronized (roomConfirmed) {
      c = (BitSet) roomConfirmed.clone();
    }
    long n = 0;
    for (BitSet d : roomDelivered) {
      BitSet missing = (BitSet) c.clone();
      synchronized (d) {
        missing.andNot(d);
      }
      int k = missing.cardinality();
      n += countRecipients ? (k > 0 ? 1 : 0) : k;
    }
    return n;
  }

  void onErrorCode(String code) {
    errorCodes.computeIfAbsent(code, c -> new LongAdder()).increment();
  }

  void onSent() {
    sent.increment();
  }

  void onConfirmed(int sender, int number, int recipient) {
    BitSet c = confirmed[sender];
    synchronized (c) {
      if (c.get(number)) {
        return;
      }
      c.set(number);
    }
    confirmedCount.increment();
    expectedPerRecipient.incrementAndGet(recipient);
  }

  /** A message with a seq the recipient had not seen; {@code sentNanos} from the body. */
  void onReceived(int sender, int number, int recipient, long sentNanos) {
    if (sender < 0 || sender >= delivered.length) {
      errors.increment();
      return;
    }
    BitSet d = delivered[sender];
    synchronized (d) {
      if (d.get(number)) {
        duplicated.increment();
        return;
      }
      d.set(number);
    }
    received.increment();
    receivedPerRecipient.incrementAndGet(recipient);
    long now = System.nanoTime();
    lastReceiveNanos = now;
    recorder.recordValue(Math.min(MAX_LATENCY_NANOS, Math.max(0, now - sentNanos)));
  }

  /** Latencies recorded since the last call (the progress line); also folded into the run total. */
  synchronized Histogram interval() {
    Histogram h = recorder.getIntervalHistogram();
    total.add(h);
    return h;
  }

  synchronized Histogram total() {
    total.add(recorder.getIntervalHistogram());
    return total.copy();
  }

  long lastReceiveNanos() {
    return lastReceiveNanos;
  }

  /** Confirmed messages not (yet) delivered to their recipient. */
  long lost() {
    if (room) {
      return roomMissing(false);
    }
    long lost = 0;
    for (int s = 0; s < confirmed.length; s++) {
      BitSet c;
      synchronized (confirmed[s]) {
        c = (BitSet) confirmed[s].clone();
      }
      synchronized (delivered[s]) {
        c.andNot(delivered[s]);
      }
      lost += c.cardinality();
    }
    return lost;
  }

  /** Recipients that received at least one message. */
  long recipientsReached() {
    long n = 0;
    for (int r = 0; r < receivedPerRecipient.length(); r++) {
      if (receivedPerRecipient.get(r) > 0) {
        n++;
      }
    }
    return n;
  }

  long recipientsMissingMessages() {
    if (room) {
      return roomMissing(true);
    }
    long n = 0;
    for (int r = 0; r < expectedPerRecipient.length(); r++) {
      if (receivedPerRecipient.get(r) < expectedPerRecipient.get(r)) {
        n++;
      }
    }
    return n;
  }

  long unconfirmed() {
    return Math.max(0, sent.sum() - confirmedCount.sum() - untrackedConfirmed.sum() - rejected.sum());
  }
}
