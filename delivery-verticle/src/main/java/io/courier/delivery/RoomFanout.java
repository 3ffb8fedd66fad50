package io.courier.delivery;

import io.courier.cluster.Presence;
import io.courier.delivery.store.AppendResult;
import io.courier.delivery.store.BatchAppendResult;
import io.courier.delivery.store.MessageStore;
import io.courier.delivery.store.RoomSettings;
import io.courier.delivery.store.RoomStore;
import io.courier.delivery.store.StoreUnavailableException;
import io.courier.protocol.InboxMessage;
import io.courier.protocol.bus.RoomPush;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A room send: checks that the sender is a member, writes the message into every member's inbox
 * (each copy with that inbox's own seq), pushes the copies to the nodes holding the members'
 * connections, and only then lets the caller answer {@code sent}.
 *
 * <p>Order of work, and why:
 * <ol>
 *   <li>The sender's own copy first. Its (from, id) dedupe record makes it the reference of the
 *       message: on a resend it answers dup, and the copy it holds (body, ts) is what the rest of the
 *       fan-out writes and pushes, so every member's copy has the same ts and body whichever
 *       attempt wrote it.</li>
 *   <li>The other members in chunks of {@code COURIER_ROOM_FANOUT_CHUNK}, at most
 *       {@code COURIER_ROOM_FANOUT_PARALLELISM} chunks in flight, each chunk one batched store call.
 *       The room's size is capped ({@code COURIER_MAX_ROOM_MEMBERS}), which bounds a send's work.</li>
 *   <li>Each chunk's copies (new and dup alike: a dup's first push may never have happened) are
 *       pushed as soon as the chunk is stored, one bus message per node ({@link Fanout#sendRoom}).</li>
 * </ol>
 * If any member's copy could not be written the send fails as unavailable, so the client resends
 * with the same id: copies already written answer dup and are not stored twice.
 *
 * <p>At most {@code COURIER_ROOM_SENDS_IN_FLIGHT} sends are fanned out at once per verticle
 * ({@link AdmissionQueue}); the others wait in order, and one whose caller has given up by its
 * turn is answered unavailable without being started.
 */
final class RoomFanout {
  private static final Logger LOG = LoggerFactory.getLogger(RoomFanout.class);
  private static final int PUSH_RETRIES = 4;

  /** The sender is not a member of the room. */
  static final class NotAMember extends RuntimeException {
    NotAMember(String room) {
      super("not a member of room '" + room + "'", null, false, false);
    }
  }

  /** What the sender is answered: the reference copy's ts, dup if no inbox got a new copy. */
  record Outcome(AppendResult sender, long ts, boolean dup, int recipients) {}

  private final Vertx vertx;
  private final String nodeId;
  private final MessageStore store;
  private final RoomStore rooms;
  private final Presence presence;
  private final Fanout fanout;
  private final RoomSettings settings;
  private final DeliveryMetrics metrics;
  private final AdmissionQueue admission;

  RoomFanout(Vertx vertx, String nodeId, MessageStore store, RoomStore rooms, Presence presence, Fanout fanout,
             RoomSettings settings, DeliveryMetrics metrics) {
    this.vertx = vertx;
    this.nodeId = nodeId;
    this.store = store;
    this.rooms = rooms;
    this.presence = presence;
    this.fanout = fanout;
    this.settings = settings;
    this.metrics = metrics;
    this.admission = new AdmissionQueue(settings.sendsInFlight(), System::currentTimeMillis);
  }

  /**
   * Fails with {@link NotAMember}, or {@link StoreUnavailableException} if any copy is missing or the
   * send waited for its turn ({@code COURIER_ROOM_SENDS_IN_FLIGHT}) until its caller gave up.
   */
  Future<Outcome> send(String room, InboxMessage draft) {
    long deadline = System.currentTimeMillis() + settings.busTimeoutMs();
    return admission.submit(() -> fanOut(room, draft), deadline).recover(err -> {
      if (err instanceof AdmissionQueue.Expired) {
        metrics.fanoutExpired();
        return Future.failedFuture(new StoreUnavailableException("room send not started: " + err.getMessage(), err));
      }
      return Future.failedFuture(err);
    });
  }

  private Future<Outcome> fanOut(String room, InboxMessage draft) {
    String from = draft.from();
    var sample = metrics.start();
    return rooms.members(room).compose(members -> {
      if (!members.contains(from)) {
        return Future.failedFuture(new NotAMember(room));
      }
      return store.append(from, draft).compose(own -> reference(draft, own).compose(ref -> {
        List<String> others = new ArrayList<>(members.size());
        for (String m : members) {
          if (!m.equals(from)) {
            others.add(m);
          }
        }
        List<Future<Void>> pushes = new ArrayList<>();
        pushes.add(push(ref, List.of(new BatchAppendResult.Appended(from, own)), 0));
        return writeOthers(others, ref, pushes)
            // Answer only once every push is handed to the bus, as for a direct message: a node
            // dying before that has not answered, so the client resends and the dups are pushed.
            .compose(written -> Future.join(pushes).transform(ignored -> Future.succeededFuture(written)))
            .map(written -> {
          boolean dup = own.dup() && written.allDup;
          metrics.fanout(sample, written.fresh + (own.dup() ? 0 : 1), written.dups + (own.dup() ? 1 : 0), dup);
          return new Outcome(own, ref.ts(), dup, members.size());
        });
      }));
    }).onFailure(err -> {
      if (err instanceof NotAMember) {
        metrics.roomSendForbidden();
      } else {
        metrics.fanoutFailed(sample);
      }
    });
  }

  /**
   * The message every copy carries. For a first attempt the draft (its ts is the sender's copy's);
   * after a resend, the sender's stored copy, so a copy written now matches the ones written by the
   * earlier attempt. If retention already dropped the sender's copy, the draft with the original ts.
   */
  private Future<InboxMessage> reference(InboxMessage draft, AppendResult own) {
    if (!own.dup()) {
      return Future.succeededFuture(draft);
    }
    InboxMessage withTs = new InboxMessage(0, null, draft.id(), draft.from(), null, draft.room(), draft.bodyJson(),
        own.ts());
    return store.read(draft.from(), own.seq() - 1, 1).map(page -> page.messages().stream()
        .filter(m -> m.seq() == own.seq() && draft.id().equals(m.id()) && draft.room().equals(m.room()))
        .findFirst()
        .map(m -> new InboxMessage(0, null, m.id(), m.from(), null, m.room(), m.bodyJson(), m.ts()))
        .orElse(withTs));
  }

  private static final class Written {
    int fresh;
    int dups;
    boolean allDup = true;
    final List<Throwable> failures = new ArrayList<>();
    int failedRecipients;
  }

  /** Writes the chunks with bounded parallelism; fails if any recipient is missing its copy. */
  private Future<Written> writeOthers(List<String> others, InboxMessage ref, List<Future<Void>> pushes) {
    List<List<String>> chunks = new ArrayList<>();
    for (int i = 0; i < others.size(); i += settings.fanoutChunk()) {
      chunks.add(others.subList(i, Math.min(others.size(), i + settings.fanoutChunk())));
    }
    Written w = new Written();
    if (chunks.isEmpty()) {
      return Future.succeededFuture(w);
    }
    Promise<Written> done = Promise.promise();
    AtomicInteger next = new AtomicInteger();
    AtomicInteger running = new AtomicInteger();
    AtomicBoolean finished = new AtomicBoolean();
    Runnable[] step = new Runnable[1];
    step[0] = () -> {
      int i = next.getAndIncrement();
      if (i >= chunks.size()) {
        if (running.get() == 0 && finished.compareAndSet(false, true)) {
          complete(done, w, others.size());
        }
        return;
      }
      running.incrementAndGet();
      store.appendAll(chunks.get(i), ref).onComplete(ar -> {
        if (ar.succeeded()) {
          BatchAppendResult r = ar.result();
          for (BatchAppendResult.Appended a : r.appended()) {
            if (a.result().dup()) {
              w.dups++;
            } else {
              w.fresh++;
              w.allDup = false;
            }
          }
          if (!r.failed().isEmpty()) {
            w.failedRecipients += r.failed().size();
            w.failures.add(r.failed().values().iterator().next());
          }
          pushes.add(push(ref, r.appended(), 0));
        } else {
          w.failedRecipients += chunks.get(i).size();
          w.failures.add(ar.cause());
        }
        running.decrementAndGet();
        step[0].run();
      });
    };
    for (int k = 0; k < Math.min(settings.fanoutParallelism(), chunks.size()); k++) {
      step[0].run();
    }
    return done.future();
  }

  private void complete(Promise<Written> done, Written w, int total) {
    if (w.failedRecipients == 0) {
      done.complete(w);
      return;
    }
    Throwable cause = w.failures.get(0);
    if (cause instanceof IllegalArgumentException) {
      done.fail(cause);
      return;
    }
    for (Throwable f : w.failures) {
      if (f instanceof io.courier.delivery.store.StoreOverloadedException) {
        done.fail(new io.courier.delivery.store.StoreOverloadedException("room copies stored for "
            + (total - w.failedRecipients) + " of " + total + " other members: " + f.getMessage()));
        return;
      }
    }
    done.fail(new StoreUnavailableException("room copies stored for " + (total - w.failedRecipients) + " of "
        + total + " other members; first failure: " + cause.getMessage(), cause));
  }

  /**
   * Looks up where the copies' owners are connected and sends one push per node. Completes once the
   * pushes are handed to the bus, or at the first failed lookup: further attempts run in the
   * background, since the copies are stored and gap fill or sync would bring them anyway.
   */
  private Future<Void> push(InboxMessage ref, List<BatchAppendResult.Appended> copies, int attempt) {
    if (copies.isEmpty()) {
      return Future.succeededFuture();
    }
    List<String> users = new ArrayList<>(copies.size());
    copies.forEach(c -> users.add(c.recipient()));
    return presence.nodesOfAll(users).<Void>map(entries -> {
      Map<String, List<RoomPush.Recipient>> byNode = Fanout.byNode(copies, entries);
      fanout.sendRoom(ref, byNode);
      return null;
    }).recover(err -> {
      if (attempt < PUSH_RETRIES) {
        vertx.setTimer(100L << attempt, id -> push(ref, copies, attempt + 1));
      } else {
        LOG.atWarn().addKeyValue("nodeId", nodeId).addKeyValue("room", ref.room()).addKeyValue("id", ref.id())
            .addKeyValue("recipients", copies.size()).addKeyValue("error", err.toString())
            .log("presence lookup failed; room pushes skipped");
      }
      return Future.succeededFuture();
    });
  }

}
