package io.courier.delivery;

import io.courier.cluster.LocalDelivery;
import io.courier.cluster.LocalServices;
import io.courier.cluster.NodeContext;
import io.courier.cluster.Presence;
import io.courier.delivery.store.AppendResult;
import io.courier.delivery.store.MessageStore;
import io.courier.delivery.store.RoomSettings;
import io.courier.delivery.store.RoomStore;
import io.courier.delivery.store.StoreOverloadedException;
import io.courier.delivery.store.StoreUnavailableException;
import io.courier.protocol.Addresses;
import io.courier.protocol.ConfigKeys;
import io.courier.protocol.InboxMessage;
import io.courier.protocol.bus.DeliveryRead;
import io.courier.protocol.bus.DeliverySend;
import io.courier.protocol.bus.StoreChecks;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts sends (store, then fan out to the recipient's nodes; a room send goes to every member's
 * inbox through {@link RoomFanout}), serves inbox reads and room membership ({@link RoomService}). Stateless
 * apart from its store client, so any number of instances on any nodes can serve the same
 * addresses; seq numbers are assigned by the store, not here.
 */
public final class DeliveryVerticle extends VerticleBase implements LocalDelivery {
  private static final Logger LOG = LoggerFactory.getLogger(DeliveryVerticle.class);
  static final int MAX_READ_LIMIT = 1000;
  private static final int PUSH_RETRIES = 4;
  /** Local map (and key) marking that this node has logged its store warnings. */
  private static final String WARNED_MAP = "courier.store-warnings-logged";

  private final NodeContext node;
  private MessageStore store;
  private RoomStore rooms;
  private RoomFanout roomFanout;
  private Presence presence;
  private Fanout fanout;
  private DeliveryMetrics metrics;
  private SendAdmission admission;
  /** Whether this instance counts in {@link LocalServices} (its consumers are registered). */
  private boolean marked;

  public DeliveryVerticle(NodeContext node) {
    this.node = node;
  }

  @Override
  public Future<?> start() {
    admission = SendAdmission.from(node.config());
    Stores.Pair stores = Stores.create(vertx, node);
    store = stores.messages();
    rooms = stores.rooms();
    RoomSettings roomSettings = RoomSettings.from(node.config());
    presence = node.presence();
    fanout = new Fanout(vertx.eventBus(), node.nodeId(), node.inProcess());
    metrics = new DeliveryMetrics(node.metrics());
    if (store instanceof io.courier.delivery.store.HazelcastMessageStore) {
      metrics.storeMemory(node.config().getDouble(io.courier.protocol.ConfigKeys.STORE_MAX_HEAP_FRACTION));
    }
    roomFanout = new RoomFanout(vertx, node.nodeId(), store, rooms, presence, fanout, roomSettings, metrics);
    // A store that cannot be used as configured (refused credentials) stops the node with the reason.
    return store.started().recover(err -> rooms.close().transform(ignored -> store.close())
        .transform(ignored -> Future.failedFuture(err))).compose(v -> {
          logWarningsOnce();
          MessageConsumer<JsonObject> send = vertx.eventBus().consumer(Addresses.DELIVERY_SEND, this::onSend);
          MessageConsumer<JsonObject> read = vertx.eventBus().consumer(Addresses.DELIVERY_READ, this::onRead);
          MessageConsumer<JsonObject> checks = vertx.eventBus().consumer(Addresses.STORE_CHECKS, this::onStoreChecks);
          Future<?> roomService = new RoomService(node.nodeId(), rooms, roomSettings, metrics).register(vertx.eventBus());
          // Marked once every consumer is registered: from then on this node's gateways send here.
          return Future.all(send.completion(), read.completion(), checks.completion(), roomService)
              .onSuccess(ok -> {
                LocalServices.up(vertx, LocalServices.DELIVERY);
                node.inProcess().addDelivery(this);
                marked = true;
              });
        });
  }

  /**
   * One WARN line per finding at start, once per node however many delivery instances it runs (they
   * share the store's settings).
   */
  private void logWarningsOnce() {
    if (vertx.sharedData().getLocalMap(WARNED_MAP).putIfAbsent(WARNED_MAP, Boolean.TRUE) != null) {
      return;
    }
    String kind = node.config().get(ConfigKeys.STORE);
    store.configurationWarnings().onSuccess(warnings -> warnings.forEach(w ->
        LOG.atWarn().addKeyValue("nodeId", node.nodeId()).addKeyValue("store", kind).log(w)));
  }

  /** The store's deployment findings, asked afresh: the gateway's readiness detail shows them. */
  private void onStoreChecks(Message<JsonObject> msg) {
    if (!BusReplies.versionOk(msg)) {
      return;
    }
    store.configurationWarnings().onComplete(ar -> msg.reply(new StoreChecks(node.config().get(ConfigKeys.STORE),
        ar.succeeded() ? ar.result() : List.of()).toJson()));
  }

  @Override
  public Future<?> stop() {
    if (marked) {
      // Unmarked before the consumers go: a request still sent here meanwhile finds no handler and
      // the gateway asks another node's delivery instead.
      node.inProcess().removeDelivery(this);
      LocalServices.down(vertx, LocalServices.DELIVERY);
      marked = false;
    }
    if (store == null) {
      return Future.succeededFuture();
    }
    return rooms.close().transform(ignored -> store.close());
  }

  private void onSend(Message<JsonObject> msg) {
    if (!BusReplies.versionOk(msg)) {
      return;
    }
    DeliverySend.Request req = DeliverySend.Request.fromJson(msg.body());
    if (req.room() != null && req.to() == null && req.from() != null && req.id() != null && req.bodyJson() != null) {
      long ts = req.ts() != null ? req.ts() : System.currentTimeMillis();
      onRoomSend(msg, new InboxMessage(0, null, req.id(), req.from(), null, req.room(), req.bodyJson(), ts));
      return;
    }
    answer(msg, send(req).map(DeliverySend.Reply::toJson));
  }

  /**
   * A point-to-point send, from the bus consumer or in-process from this node's gateways
   * ({@link LocalDelivery}): runs on the caller's context (the store completes there). Fails only
   * with the {@link ReplyException} the bus would have answered.
   */
  @Override
  public Future<DeliverySend.Reply> send(DeliverySend.Request req) {
    String from = req.from();
    String to = req.to();
    String id = req.id();
    String body = req.bodyJson();
    if (from == null || id == null || body == null || to == null || req.room() != null) {
      return Future.failedFuture(BusReplies.invalid("send needs from, id, body and exactly one of to and room"));
    }
    long ts = req.ts() != null ? req.ts() : System.currentTimeMillis();
    InboxMessage draft = new InboxMessage(0, null, id, from, to, null, body, ts);
    var sample = metrics.start();
    long admitted = admission.admit();
    if (admitted == Long.MIN_VALUE) {
      metrics.behind(sample);
      return Future.failedFuture(BusReplies.storeFailure(LOG, node.nodeId(), "append", to, admission.refusal()));
    }
    return store.append(to, draft).transform(ar -> {
      admission.done(admitted);
      if (ar.failed()) {
        Throwable err = ar.cause();
        if (err instanceof StoreOverloadedException) {
          metrics.overloaded(sample);
        } else {
          metrics.failed(sample, DeliveryMetrics.APPEND, err instanceof StoreUnavailableException);
        }
        return Future.failedFuture(BusReplies.storeFailure(LOG, node.nodeId(), "append", to, err));
      }
      AppendResult r = ar.result();
      metrics.appended(sample, r.dup());
      // Push first, then answer: if this node dies in between, the client gets no sent, resends,
      // and the dup path below pushes again. Answering first would leave a stored message
      // that was never pushed, which the recipient would only see at its next sync.
      Future<Void> pushed = r.dup() ? redeliver(to, r.seq()) : deliver(to, stored(draft, r), 0);
      return pushed.transform(ignored -> Future.succeededFuture(new DeliverySend.Reply(r.ts(), r.dup(), r.seq(), r.epoch())));
    });
  }

  /** The reply carries the sender's own copy's seq and epoch; ts and dup are the room message's. */
  private void onRoomSend(Message<JsonObject> msg, InboxMessage draft) {
    roomFanout.send(draft.room(), draft)
        .onSuccess(o -> msg.reply(new DeliverySend.Reply(o.ts(), o.dup(), o.sender().seq(), o.sender().epoch()).toJson()))
        .onFailure(err -> {
          if (err instanceof RoomFanout.NotAMember) {
            BusReplies.forbidden(msg, err.getMessage());
          } else {
            BusReplies.storeFailure(msg, LOG, node.nodeId(), "room send", draft.from(), err);
          }
        });
  }

  private static InboxMessage stored(InboxMessage draft, AppendResult r) {
    return new InboxMessage(r.seq(), r.epoch(), draft.id(), draft.from(), draft.to(), draft.room(),
        draft.bodyJson(), r.ts());
  }

  /**
   * Looks up where the recipient is connected and pushes to those nodes. Completes once the push is
   * handed to the event bus, or at the first failed lookup (further attempts then run in the
   * background: the message is stored, so the answer to the sender need not wait for them).
   */
  private Future<Void> deliver(String recipient, InboxMessage m, int attempt) {
    return presence.nodesOf(recipient)
        .map(nodes -> {
          fanout.send(recipient, m, nodes);
          return (Void) null;
        })
        .recover(err -> {
          if (attempt < PUSH_RETRIES) {
            vertx.setTimer(100L << attempt, id -> deliver(recipient, m, attempt + 1));
          } else {
            // Stored all the same: the recipient gets it with its next push (gap fill) or sync.
            LOG.atWarn().addKeyValue("nodeId", node.nodeId()).addKeyValue("userId", recipient)
                .addKeyValue("seq", m.seq()).addKeyValue("error", err.toString()).log("presence lookup failed; push skipped");
          }
          return Future.succeededFuture();
        });
  }

  /**
   * A resend of something already stored: its first push may never have happened (the first
   * attempt's caller can have timed out after the store wrote it), so push the stored copy again.
   * Connections drop seqs they already released, so a second push costs nothing.
   */
  private Future<Void> redeliver(String recipient, long seq) {
    return redeliver(recipient, seq, 0);
  }

  /** Retried like a presence lookup: right after a member loss, reads can fail while partitions move. */
  private Future<Void> redeliver(String recipient, long seq, int attempt) {
    return store.read(recipient, seq - 1, 1)
        .compose(page -> page.messages().stream().filter(m -> m.seq() == seq).findFirst()
            .map(m -> deliver(recipient, m, 0)).orElse(Future.succeededFuture()))
        .recover(err -> {
          if (attempt < PUSH_RETRIES) {
            vertx.setTimer(200L << attempt, id -> redeliver(recipient, seq, attempt + 1));
          } else {
            LOG.atWarn().addKeyValue("nodeId", node.nodeId()).addKeyValue("userId", recipient).addKeyValue("seq", seq)
                .addKeyValue("error", err.toString()).log("re-push of a duplicate skipped");
          }
          return Future.succeededFuture();
        });
  }



  private void onRead(Message<JsonObject> msg) {
    if (!BusReplies.versionOk(msg)) {
      return;
    }
    answer(msg, read(DeliveryRead.Request.fromJson(msg.body())).map(DeliveryRead.Reply::toJson));
  }

  /** A bus request answered with what the in-process call gave: its reply, or its failure as is. */
  private static void answer(Message<JsonObject> msg, Future<JsonObject> outcome) {
    outcome.onComplete(ar -> {
      if (ar.succeeded()) {
        msg.reply(ar.result());
      } else {
        BusReplies.fail(msg, (ReplyException) ar.cause());
      }
    });
  }

  /** An inbox read, from the bus consumer or in-process ({@link LocalDelivery}); as {@link #send}. */
  @Override
  public Future<DeliveryRead.Reply> read(DeliveryRead.Request req) {
    if (req == null || req.user() == null || req.after() < 0 || req.limit() < 0) {
      return Future.failedFuture(BusReplies.invalid("read needs user, after and limit"));
    }
    String user = req.user();
    var sample = metrics.start();
    return store.read(user, req.after(), Math.min(req.limit(), MAX_READ_LIMIT)).transform(ar -> {
      if (ar.failed()) {
        Throwable err = ar.cause();
        metrics.failed(sample, DeliveryMetrics.READ, err instanceof StoreUnavailableException);
        return Future.failedFuture(BusReplies.storeFailure(LOG, node.nodeId(), "read", user, err));
      }
      metrics.read(sample);
      var r = ar.result();
      return Future.succeededFuture(new DeliveryRead.Reply(r.epoch(), r.lastSeq(), r.firstAvailable(), r.messages()));
    });
  }
}
