package io.courier.delivery.store;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.courier.cluster.Maps;
import com.hazelcast.cluster.Member;
import com.hazelcast.core.ExecutionCallback;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.partition.PartitionService;
import io.courier.delivery.store.hazelcast.AppendProcessor;
import io.courier.delivery.store.hazelcast.FanoutAppendTask;
import io.courier.delivery.store.hazelcast.FanoutOutcome;
import io.courier.delivery.store.hazelcast.InboxHead;
import io.courier.delivery.store.hazelcast.InboxKeys;
import io.courier.delivery.store.hazelcast.InboxPage;
import io.courier.delivery.store.hazelcast.InitHeadProcessor;
import io.courier.delivery.store.hazelcast.ReadPageProcessor;
import io.courier.delivery.store.hazelcast.StoredMessage;
import io.courier.protocol.CourierConfig;
import io.courier.protocol.InboxMessage;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Inboxes in the cluster's memory (the maps of {@link Maps}, partitioned by recipient, one
 * synchronous backup). Each call is one entry processor on the inbox's head entry, so it costs one
 * round trip to the partition owner (an append that met a moving partition is submitted again);
 * see {@link AppendProcessor} for why an append is atomic, stores each send at the seq it answers,
 * and survives partition migration and the loss of one member.
 *
 * <p>Durability is the cluster's: losing every replica of a partition (with the default one
 * backup, two members at once) loses those inboxes, and they come back with a new epoch.
 */
public final class HazelcastMessageStore implements MessageStore {
  private static final long MAX_RETRY_PAUSE_MS = 200;

  private final Vertx vertx;
  private final HazelcastInstance hz;
  private final IMap<String, InboxHead> heads;
  private final StoreSettings settings;

  public HazelcastMessageStore(Vertx vertx, HazelcastInstance hz, CourierConfig cfg) {
    this.vertx = vertx;
    this.hz = hz;
    this.heads = hz.getMap(Maps.INBOX_HEAD);
    this.settings = StoreSettings.from(cfg);
  }

  @Override
  public Future<AppendResult> append(String recipient, InboxMessage draft) {
    Context ctx = vertx.getOrCreateContext();
    return StoreArgs.checkAppend(recipient, draft).compose(v -> {
      AppendProcessor ep = new AppendProcessor(recipient, StoredMessage.of(draft),
          ThreadLocalRandom.current().nextLong(), settings);
      return submitAppend(recipient, ep, ctx, System.currentTimeMillis() + settings.opTimeoutMs(), 0);
    });
  }

  /**
   * Submits {@code ep} until it runs on the partition's owner. The same processor (same attempt
   * token) is submitted again, so a try that stored the message and then lost the partition is
   * recognised as its own by the next one. The whole append stays within one store timeout.
   */
  private Future<AppendResult> submitAppend(String recipient, AppendProcessor ep, Context ctx, long deadline,
                                            int tries) {
    long left = deadline - System.currentTimeMillis();
    if (left <= 0) {
      return Future.failedFuture(new StoreUnavailableException("hazelcast append timed out", null));
    }
    return StoreCalls.onContext(() -> heads.submitToKey(InboxKeys.head(recipient), ep), ctx, left, "hazelcast append")
        .compose(o -> {
          if (!o.retry()) {
            return Future.succeededFuture(new AppendResult(o.seq(), o.epoch(), o.ts(), o.dup()));
          }
          // Partitions move for a few seconds after a membership change; back off a little per try.
          long pause = Math.min(MAX_RETRY_PAUSE_MS, 5L << Math.min(tries, 6));
          if (System.currentTimeMillis() + pause >= deadline) {
            return Future.failedFuture(new StoreUnavailableException(
                "hazelcast append could not reach the inbox's owner: " + o.retryReason(), null));
          }
          return vertx.timer(pause, TimeUnit.MILLISECONDS)
              .compose(t -> submitAppend(recipient, ep, ctx, deadline, tries + 1));
        });
  }

  /**
   * Groups the recipients by the member that owns their inbox's partition and sends each group one
   * {@link FanoutAppendTask}: one round trip and one copy of the encoded message per member. A
   * group whose task fails (member gone, timeout) is reported failed as a whole; some of its copies
   * may be stored, which a repeat of the call answers as dup.
   */
  @Override
  public Future<BatchAppendResult> appendAll(List<String> recipients, InboxMessage draft) {
    Context ctx = vertx.getOrCreateContext();
    return StoreArgs.checkAppendAll(recipients, draft).compose(v -> {
      byte[] encoded = StoredMessage.of(draft).encode();
      long attempt = ThreadLocalRandom.current().nextLong();
      IExecutorService executor = hz.getExecutorService(Maps.FANOUT_EXECUTOR);
      List<Future<BatchAppendResult>> groups = new ArrayList<>();
      byOwner(recipients).forEach((member, users) -> {
        FanoutAppendTask task = new FanoutAppendTask(users.toArray(String[]::new), encoded, attempt, settings);
        Future<FanoutOutcome> sent = call(() -> {
          CompletableFuture<FanoutOutcome> answer = new CompletableFuture<>();
          executor.submitToMember(task, member, new ExecutionCallback<FanoutOutcome>() {
            @Override
            public void onResponse(FanoutOutcome response) {
              answer.complete(response);
            }

            @Override
            public void onFailure(Throwable t) {
              answer.completeExceptionally(t);
            }
          });
          return answer;
        }, ctx, "fan-out append");
        groups.add(sent.map(HazelcastMessageStore::toBatch).otherwise(err -> failedBatch(users, err)));
      });
      return Future.all(groups).map(all -> merge(groups));
    });
  }

  /** Recipients by the owner of their inbox partition (the text after the first '@' of every inbox key). */
  private Map<Member, List<String>> byOwner(List<String> recipients) {
    Map<Member, List<String>> groups = new LinkedHashMap<>();
    PartitionService partitions = hz.getPartitionService();
    Member local = hz.getCluster().getLocalMember();
    for (String user : recipients) {
      Member owner = partitions.getPartition(user).getOwner();
      groups.computeIfAbsent(owner != null ? owner : local, m -> new ArrayList<>()).add(user);
    }
    return groups;
  }

  private static BatchAppendResult toBatch(FanoutOutcome o) {
    List<BatchAppendResult.Appended> appended = new ArrayList<>(o.size());
    Map<String, Throwable> failed = new HashMap<>();
    for (int i = 0; i < o.size(); i++) {
      if (o.error(i) == null) {
        appended.add(new BatchAppendResult.Appended(o.user(i), o.result(i)));
      } else {
        failed.put(o.user(i), new StoreUnavailableException("hazelcast fan-out append failed: " + o.error(i), null));
      }
    }
    return new BatchAppendResult(appended, failed);
  }

  private static BatchAppendResult failedBatch(List<String> users, Throwable err) {
    Map<String, Throwable> failed = new HashMap<>();
    users.forEach(u -> failed.put(u, err));
    return new BatchAppendResult(List.of(), failed);
  }

  static BatchAppendResult merge(List<Future<BatchAppendResult>> parts) {
    List<BatchAppendResult.Appended> appended = new ArrayList<>();
    Map<String, Throwable> failed = new HashMap<>();
    for (Future<BatchAppendResult> f : parts) {
      appended.addAll(f.result().appended());
      failed.putAll(f.result().failed());
    }
    return new BatchAppendResult(appended, failed);
  }

  @Override
  public Future<ReadResult> read(String recipient, long after, int limit) {
    Context ctx = vertx.getOrCreateContext();
    return StoreArgs.checkRead(recipient, after, limit).compose(v -> readPage(recipient, after, limit, ctx, true));
  }

  private Future<ReadResult> readPage(String recipient, long after, int limit, Context ctx, boolean mayInit) {
    ReadPageProcessor ep = new ReadPageProcessor(recipient, after, limit,
        settings.ageCutoff(System.currentTimeMillis()));
    return call(() -> heads.submitToKey(InboxKeys.head(recipient), ep), ctx, "read").compose(page -> {
      if (page.hasHead()) {
        return Future.succeededFuture(toResult(page));
      }
      if (!mayInit) {
        return Future.failedFuture(new StoreUnavailableException("inbox head vanished right after creation", null));
      }
      // Second round trip only the first time an inbox is seen; re-read so a racing append is not missed.
      return call(() -> heads.submitToKey(InboxKeys.head(recipient), new InitHeadProcessor()), ctx, "create inbox")
          .compose(created -> readPage(recipient, after, limit, ctx, false));
    });
  }

  private static ReadResult toResult(InboxPage page) {
    return new ReadResult(page.epoch(), page.lastSeq(), page.firstAvailable(), page.messages());
  }

  private <T> Future<T> call(Supplier<CompletionStage<T>> submit, Context ctx, String what) {
    return StoreCalls.onContext(submit, ctx, settings.opTimeoutMs(), "hazelcast " + what);
  }

  @Override
  public Future<Void> close() {
    // The Hazelcast member belongs to the node, not to this store.
    return Future.succeededFuture();
  }
}
