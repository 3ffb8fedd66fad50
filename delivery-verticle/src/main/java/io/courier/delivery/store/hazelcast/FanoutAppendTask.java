package io.courier.delivery.store.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.map.IMap;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import io.courier.cluster.Maps;
import io.courier.delivery.store.StoreSettings;
import java.io.IOException;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One room message for many inboxes whose partitions one member owns, sent to that member as a
 * single executor task: one network round trip and one copy of the message for the whole group,
 * instead of one of each per recipient. On the member it runs the ordinary {@link AppendProcessor}
 * for each inbox (local calls, all in flight at once), so every copy is appended exactly as a direct
 * message is: own seq, own dedupe record, same fail-over behaviour. A partition that moved meanwhile
 * is simply reached over the network by that processor call.
 *
 * <p>Runs on the member's {@code courier.fanout} executor thread, which may wait: the processors
 * themselves run on Hazelcast's offload executor, never on this thread or a partition thread.
 */
public final class FanoutAppendTask implements Callable<FanoutOutcome>, HazelcastInstanceAware, DataSerializable {
  private static final long RETRY_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

  private String[] users;
  private byte[] encoded;
  private long attempt;
  private long dedupeWindowMs;
  private long maxMessages;
  private long maxAgeMs;
  private long opTimeoutMs;

  private transient HazelcastInstance hz;

  public FanoutAppendTask() {}

  public FanoutAppendTask(String[] users, byte[] encoded, long attempt, StoreSettings settings) {
    this.users = users;
    this.encoded = encoded;
    this.attempt = attempt;
    this.dedupeWindowMs = settings.dedupeWindowMs();
    this.maxMessages = settings.maxMessages();
    this.maxAgeMs = settings.maxAgeMs();
    this.opTimeoutMs = settings.opTimeoutMs();
  }

  @Override
  public FanoutOutcome call() {
    IMap<String, InboxHead> heads = hz.getMap(Maps.INBOX_HEAD);
    StoreSettings settings = new StoreSettings(dedupeWindowMs, maxMessages, maxAgeMs, opTimeoutMs);
    StoredMessage msg = StoredMessage.decode(encoded);
    AppendProcessor[] processors = new AppendProcessor[users.length];
    @SuppressWarnings("unchecked")
    CompletableFuture<AppendOutcome>[] calls = new CompletableFuture[users.length];
    for (int i = 0; i < users.length; i++) {
      processors[i] = new AppendProcessor(users[i], msg, encoded, attempt, settings);
      calls[i] = submit(heads, users[i], processors[i]);
    }
    // The caller gives up after opTimeoutMs; waiting longer would only hold this thread.
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(opTimeoutMs);
    FanoutOutcome out = new FanoutOutcome(users.length);
    for (int i = 0; i < users.length; i++) {
      try {
        AppendOutcome o = calls[i].get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        // A processor that met a moving partition stored nothing: submit the same one again (same
        // attempt token, so a try that did store is recognised as its own), as a direct append does.
        while (o.retry() && deadline - System.nanoTime() > RETRY_PAUSE_NANOS) {
          TimeUnit.NANOSECONDS.sleep(RETRY_PAUSE_NANOS);
          o = submit(heads, users[i], processors[i])
              .get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        if (o.retry()) {
          out.fail(i, users[i], "could not reach the inbox's owner: " + o.retryReason());
        } else {
          out.set(i, users[i], o);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        out.fail(i, users[i], "interrupted");
      } catch (ExecutionException | CompletionException e) {
        out.fail(i, users[i], String.valueOf(e.getCause()));
      } catch (TimeoutException e) {
        out.fail(i, users[i], "no answer within " + opTimeoutMs + " ms");
      }
    }
    return out;
  }

  private static CompletableFuture<AppendOutcome> submit(IMap<String, InboxHead> heads, String user,
                                                         AppendProcessor ep) {
    try {
      return heads.submitToKey(InboxKeys.head(user), ep).toCompletableFuture();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public void setHazelcastInstance(HazelcastInstance hazelcastInstance) {
    this.hz = hazelcastInstance;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeStringArray(users);
    out.writeByteArray(encoded);
    out.writeLong(attempt);
    out.writeLong(dedupeWindowMs);
    out.writeLong(maxMessages);
    out.writeLong(maxAgeMs);
    out.writeLong(opTimeoutMs);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    users = in.readStringArray();
    encoded = in.readByteArray();
    attempt = in.readLong();
    dedupeWindowMs = in.readLong();
    maxMessages = in.readLong();
    maxAgeMs = in.readLong();
    opTimeoutMs = in.readLong();
  }
}
