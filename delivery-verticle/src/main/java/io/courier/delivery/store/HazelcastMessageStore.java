package io.courier.delivery.store;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.courier.cluster.Maps;
import io.courier.delivery.store.hazelcast.AppendOutcome;
import io.courier.delivery.store.hazelcast.Inbox;
import io.courier.delivery.store.hazelcast.InboxAppend;
import io.courier.delivery.store.hazelcast.InboxCreate;
import io.courier.delivery.store.hazelcast.InboxPage;
import io.courier.delivery.store.hazelcast.InboxPrune;
import io.courier.delivery.store.hazelcast.InboxRead;
import io.courier.delivery.store.hazelcast.StoredMessage;
import io.courier.protocol.CourierConfig;
import io.courier.protocol.InboxMessage;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * Inboxes in the cluster's memory: one entry per recipient in {@link Maps#INBOXES} holding the whole
 * inbox ({@link Inbox}), with the map's synchronous backups. Every call is one entry processor run on
 * the partition thread of the inbox's owner: one round trip, no lock, no nested call. A room fan-out
 * is one such call per member inbox, all in flight at once.
 *
 * <p>Durability is the cluster's: an answered append is on the owner and its backups; losing every
 * replica of a partition (with the default one backup, two members at once) loses those inboxes,
 * and they come back with a new epoch. Nothing is written to disk: when the last member stops
 * (a one-node cluster restarted, every node redeployed at once), every inbox is gone, which
 * {@link #configurationWarnings} says at start.
 */
public final class HazelcastMessageStore implements MessageStore {
  /** How often idle inboxes are pruned of expired messages and dedupe records. */
  static final long PRUNE_INTERVAL_MS = 60_000;

  private final Vertx vertx;
  private final IMap<String, Inbox> inboxes;
  private final StoreSettings settings;
  private final long pruneTimer;
  private final int backups;

  public HazelcastMessageStore(Vertx vertx, HazelcastInstance hz, CourierConfig cfg) {
    this.vertx = vertx;
    this.inboxes = hz.getMap(Maps.INBOXES);
    this.settings = StoreSettings.from(cfg);
    this.backups = cfg.getInt(io.courier.protocol.ConfigKeys.HZ_BACKUP_COUNT);
    this.pruneTimer = settings.dedupeWindowMs() > 0 || settings.maxAgeMs() > 0
        ? vertx.setPeriodic(PRUNE_INTERVAL_MS, id -> prune()) : -1;
  }

  @Override
  public Future<AppendResult> append(String recipient, InboxMessage draft) {
    Context ctx = vertx.getOrCreateContext();
    return StoreArgs.checkAppend(recipient, draft).compose(v -> {
      InboxAppend ep = appendOf(draft);
      return call(() -> inboxes.submitToKey(recipient, ep), ctx, "append").map(HazelcastMessageStore::toResult);
    });
  }

  /**
   * One append call per inbox, all in flight at once, sharing one encoding of the message. Each is
   * the same single-key call as {@link #append} (a processor's backup carries what it wrote for its
   * own inbox, so one processor cannot serve several keys). Failures are per recipient; a repeat of
   * the call stores the missing copies and answers dup for the others.
   */
  @Override
  public Future<BatchAppendResult> appendAll(List<String> recipients, InboxMessage draft) {
    Context ctx = vertx.getOrCreateContext();
    return StoreArgs.checkAppendAll(recipients, draft).compose(v -> {
      StoredMessage msg = StoredMessage.of(draft);
      byte[] encoded = msg.encode();
      long now = System.currentTimeMillis();
      List<Future<AppendOutcome>> calls = new ArrayList<>(recipients.size());
      for (String user : recipients) {
        InboxAppend ep = appendOf(msg, encoded, now);
        calls.add(call(() -> inboxes.submitToKey(user, ep), ctx, "fan-out append"));
      }
      return Future.join(calls).transform(done -> {
        List<BatchAppendResult.Appended> appended = new ArrayList<>(recipients.size());
        Map<String, Throwable> failed = new HashMap<>();
        for (int i = 0; i < recipients.size(); i++) {
          Future<AppendOutcome> f = calls.get(i);
          if (f.succeeded()) {
            appended.add(new BatchAppendResult.Appended(recipients.get(i), toResult(f.result())));
          } else {
            failed.put(recipients.get(i), f.cause());
          }
        }
        return Future.succeededFuture(new BatchAppendResult(appended, failed));
      });
    });
  }

  private InboxAppend appendOf(InboxMessage draft) {
    StoredMessage msg = StoredMessage.of(draft);
    return appendOf(msg, msg.encode(), System.currentTimeMillis());
  }

  /** One inbox's append: its own attempt token and epoch seed, the message encoded once by the caller. */
  private InboxAppend appendOf(StoredMessage msg, byte[] encoded, long now) {
    return new InboxAppend(msg, encoded, ThreadLocalRandom.current().nextLong(), now, Epochs.next(), settings);
  }

  private static AppendResult toResult(AppendOutcome o) {
    return new AppendResult(o.seq(), o.epoch(), o.ts(), o.dup());
  }

  @Override
  public Future<ReadResult> read(String recipient, long after, int limit) {
    Context ctx = vertx.getOrCreateContext();
    return StoreArgs.checkRead(recipient, after, limit).compose(v -> readPage(recipient, after, limit, ctx, true));
  }

  private Future<ReadResult> readPage(String recipient, long after, int limit, Context ctx, boolean mayCreate) {
    InboxRead ep = new InboxRead(after, limit, settings.ageCutoff(System.currentTimeMillis()));
    return call(() -> inboxes.submitToKey(recipient, ep), ctx, "read").compose(page -> {
      if (page.hasHead()) {
        return Future.succeededFuture(toResult(page));
      }
      if (!mayCreate) {
        return Future.failedFuture(new StoreUnavailableException("inbox vanished right after creation", null));
      }
      // A second round trip only the first time an inbox is seen; reads stay read-only (no backup).
      return call(() -> inboxes.submitToKey(recipient, new InboxCreate(Epochs.next())), ctx, "create inbox")
          .compose(created -> readPage(recipient, after, limit, ctx, false));
    });
  }

  private static ReadResult toResult(InboxPage page) {
    return new ReadResult(page.epoch(), page.lastSeq(), page.firstAvailable(), page.messages());
  }

  /**
   * Every store instance prunes the whole map: each inbox is visited on its owner's partition
   * thread, and one with nothing expired is left as it is. Members that run no delivery verticle own
   * inbox partitions too, so no instance can prune only its own. The call waits for every
   * partition, so it runs on a worker thread.
   */
  private void prune() {
    InboxPrune ep = new InboxPrune(System.currentTimeMillis(), settings);
    vertx.executeBlocking(() -> inboxes.executeOnEntries(ep), false);
  }

  private <T> Future<T> call(Supplier<CompletionStage<T>> submit, Context ctx, String what) {
    return StoreCalls.onContext(submit, ctx, settings.opTimeoutMs(), "hazelcast " + what);
  }

  /** Always one: where the messages live and when they are lost (the default store's honest label). */
  @Override
  public Future<List<String>> configurationWarnings() {
    return Future.succeededFuture(List.of(memoryOnly(backups)));
  }

  static String memoryOnly(int backups) {
    return "messages live only in the cluster's memory (" + io.courier.protocol.ConfigKeys.HZ_BACKUP_COUNT.env() + "="
        + backups + " backup" + (backups == 1 ? "" : "s") + ") and are lost when the last member stops; for durable "
        + "inboxes use " + io.courier.protocol.ConfigKeys.STORE.env() + "=redis";
  }

  @Override
  public Future<Void> close() {
    if (pruneTimer >= 0) {
      vertx.cancelTimer(pruneTimer);
    }
    // The Hazelcast member belongs to the node, not to this store.
    return Future.succeededFuture();
  }
}
