package io.courier.delivery.store;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.courier.cluster.Maps;
import io.courier.cluster.Presence;
import io.courier.cluster.PresenceState;
import io.courier.delivery.store.hazelcast.AppendOutcome;
import io.courier.delivery.store.hazelcast.Inbox;
import io.courier.delivery.store.hazelcast.InboxAppend;
import io.courier.delivery.store.hazelcast.InboxCreate;
import io.courier.delivery.store.hazelcast.InboxPage;
import io.courier.delivery.store.hazelcast.InboxPrune;
import io.courier.delivery.store.hazelcast.InboxRead;
import io.courier.delivery.store.hazelcast.InboxRemoveIdle;
import io.courier.delivery.store.hazelcast.StoredMessage;
import io.courier.protocol.CourierConfig;
import io.courier.protocol.InboxMessage;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
  /** Users whose presence one removal step reads at once. */
  static final int IDLE_BATCH = 1000;
  private static final Logger LOG = LoggerFactory.getLogger(HazelcastMessageStore.class);

  private final Vertx vertx;
  private final IMap<String, Inbox> inboxes;
  private final Presence presence;
  private final StoreSettings settings;
  private final String nodeId;
  private final long pruneTimer;
  private final int backups;
  /** Whether a periodic sweep is still under way (a large first removal can outlast the interval). */
  private final java.util.concurrent.atomic.AtomicBoolean sweeping = new java.util.concurrent.atomic.AtomicBoolean();

  /** {@code presence} tells which idle inboxes belong to users long offline (the idle sweep). */
  public HazelcastMessageStore(Vertx vertx, HazelcastInstance hz, CourierConfig cfg, Presence presence) {
    this.vertx = vertx;
    this.inboxes = hz.getMap(Maps.INBOXES);
    this.presence = presence;
    this.settings = StoreSettings.from(cfg);
    this.backups = cfg.getInt(io.courier.protocol.ConfigKeys.HZ_BACKUP_COUNT);
    this.nodeId = cfg.get(io.courier.protocol.ConfigKeys.NODE_ID);
    this.pruneTimer = settings.dedupeWindowMs() > 0 || settings.maxAgeMs() > 0
        ? vertx.setPeriodic(PRUNE_INTERVAL_MS, id -> sweepUnlessRunning()) : -1;
  }

  @Override
  public Future<AppendResult> append(String recipient, InboxMessage draft) {
    Context ctx = vertx.getOrCreateContext();
    return StoreArgs.checkAppend(recipient, draft).compose(v -> {
      InboxAppend ep = appendOf(draft);
      return call(() -> inboxes.submitToKey(recipient, ep), ctx, "append").compose(HazelcastMessageStore::accepted)
          .map(HazelcastMessageStore::toResult);
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
        calls.add(call(() -> inboxes.submitToKey(user, ep), ctx, "fan-out append")
            .compose(HazelcastMessageStore::accepted));
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

  /** A refused outcome as the failure it is for the caller. */
  private static Future<AppendOutcome> accepted(AppendOutcome o) {
    return o.refused()
        ? Future.failedFuture(new StoreOverloadedException("message store memory budget used up on the member "
            + "holding the inbox; resend later"))
        : Future.succeededFuture(o);
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
   *
   * <p>Then inboxes left holding nothing (no message, no dedupe record) are removed when their owner
   * has been offline longer than the age limit, by presence's last-seen time, or was never seen
   * online: memory does not grow with the users ever seen. Such a user's next read starts a new
   * epoch, as after any lost inbox; what it could have held would have expired meanwhile. Without an
   * age limit nothing is removed. Completes with the number removed.
   */
  private void sweepUnlessRunning() {
    if (sweeping.compareAndSet(false, true)) {
      sweep().onComplete(done -> sweeping.set(false));
    }
  }

  Future<Integer> sweep() {
    long now = System.currentTimeMillis();
    Context ctx = vertx.getOrCreateContext();
    InboxPrune ep = new InboxPrune(now, settings);
    return vertx.executeBlocking(() -> inboxes.executeOnEntries(ep), false).compose(answers -> {
      if (settings.maxAgeMs() <= 0) {
        return Future.succeededFuture(0);
      }
      List<String> idle = new ArrayList<>();
      answers.forEach((user, holdsNothing) -> {
        if (Boolean.TRUE.equals(holdsNothing)) {
          idle.add(user);
        }
      });
      return removeIdle(idle, 0, now - settings.maxAgeMs(), 0, ctx);
    }).onSuccess(removed -> {
      if (removed > 0) {
        LOG.atInfo().addKeyValue("nodeId", nodeId).addKeyValue("removed", removed).log("idle inboxes removed");
      }
    }).onFailure(err -> LOG.atWarn().addKeyValue("nodeId", nodeId).addKeyValue("error", err.toString())
        .log("inbox sweep failed"));
  }

  /** One batch of users at a time: their presence, then the removal of those long offline. */
  private Future<Integer> removeIdle(List<String> idle, int from, long offlineBefore, int removed, Context ctx) {
    if (from >= idle.size()) {
      return Future.succeededFuture(removed);
    }
    List<String> batch = idle.subList(from, Math.min(idle.size(), from + IDLE_BATCH));
    return presence.states(batch).compose(states -> {
      Set<String> gone = new HashSet<>();
      for (String user : batch) {
        // Offline, since is when the user was last seen (0: never seen).
        PresenceState p = states.getOrDefault(user, PresenceState.unknown(user));
        if (!p.online() && p.since() < offlineBefore) {
          gone.add(user);
        }
      }
      if (gone.isEmpty()) {
        return Future.succeededFuture(0);
      }
      return call(() -> inboxes.submitToKeys(gone, InboxRemoveIdle.ifStillIdle()), ctx, "remove idle inboxes")
          .map(done -> (int) done.values().stream().filter(Boolean.TRUE::equals).count());
    }).compose(n -> removeIdle(idle, from + batch.size(), offlineBefore, removed + n, ctx));
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
