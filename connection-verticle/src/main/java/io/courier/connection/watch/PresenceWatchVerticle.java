package io.courier.connection.watch;

import io.courier.cluster.NodeContext;
import io.courier.cluster.PresenceState;
import io.courier.connection.GatewaySettings;
import io.courier.protocol.Addresses;
import io.courier.protocol.Bus;
import io.courier.protocol.bus.PresenceChanges;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's presence agent on the connection side, one instance per node:
 * <ul>
 *   <li>the node's single clustered consumer of presence changes ({@code courier.presence.changed.<nodeId>}),
 *   which hands them to the watching connections ({@link PresenceWatch#dispatch});</li>
 *   <li>the member's presence lease, taken before any connection is accepted and renewed every third of
 *   {@code COURIER_PRESENCE_LEASE_MS};</li>
 *   <li>every {@code COURIER_PRESENCE_RECONCILE_MS}, a re-read of every user watched here, in batches, so a
 *   change whose message was lost (its sender died between the map update and the send) still arrives.</li>
 * </ul>
 */
public final class PresenceWatchVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(PresenceWatchVerticle.class);
  /** Users per getAll of the re-read. */
  static final int RECONCILE_BATCH = 500;

  private final NodeContext node;
  private final PresenceWatch watch;
  private final GatewaySettings settings;
  private long leaseMs;
  private boolean reconciling;

  public PresenceWatchVerticle(NodeContext node, PresenceWatch watch, GatewaySettings settings) {
    this.node = node;
    this.watch = watch;
    this.settings = settings;
  }

  @Override
  public Future<?> start() {
    // Both checked by GatewaySettings before this verticle is deployed.
    leaseMs = settings.presenceLeaseMs();
    long reconcileMs = settings.presenceReconcileMs();
    vertx.setPeriodic(leaseMs / 3, id -> renew());
    if (reconcileMs > 0) {
      vertx.setPeriodic(reconcileMs, id -> reconcile());
    }
    return renew().compose(v -> vertx.eventBus().<JsonObject>consumer(
        Addresses.presenceChanged(node.nodeId()), this::onChanges).completion());
  }

  @Override
  public Future<?> stop() {
    return watch.presence().releaseLease().recover(err -> Future.succeededFuture());
  }

  private Future<Void> renew() {
    return watch.presence().renewLease(node.nodeId(), leaseMs)
        .onFailure(err -> LOG.atWarn().addKeyValue("nodeId", node.nodeId()).addKeyValue("error", String.valueOf(err))
            .log("presence lease not renewed"));
  }

  private void onChanges(Message<JsonObject> msg) {
    // A document this node cannot read is dropped: the periodic re-read makes up for it.
    PresenceChanges changes = Bus.readable(msg.body()) ? PresenceChanges.fromJson(msg.body()) : null;
    if (changes == null) {
      return;
    }
    List<PresenceState> states = new ArrayList<>(changes.changes().size());
    for (PresenceChanges.Change c : changes.changes()) {
      states.add(PresenceState.of(c));
    }
    watch.dispatch(states);
  }

  /** Re-reads every watched user, one batch at a time; a pass still running skips the next tick. */
  private void reconcile() {
    if (reconciling) {
      return;
    }
    List<String> users = watch.index().users();
    if (users.isEmpty()) {
      return;
    }
    reconciling = true;
    Future<Void> chain = Future.succeededFuture();
    for (int from = 0; from < users.size(); from += RECONCILE_BATCH) {
      List<String> batch = users.subList(from, Math.min(users.size(), from + RECONCILE_BATCH));
      chain = chain.compose(v -> watch.presence().states(batch).map(found -> {
        watch.dispatch(states(batch, found));
        return null;
      }));
    }
    chain.onComplete(ar -> {
      reconciling = false;
      if (ar.failed()) {
        LOG.atWarn().addKeyValue("nodeId", node.nodeId()).addKeyValue("error", String.valueOf(ar.cause()))
            .log("presence re-read failed; the next one retries");
      }
    });
  }

  static List<PresenceState> states(List<String> users, Map<String, PresenceState> found) {
    List<PresenceState> out = new ArrayList<>(users.size());
    for (String u : users) {
      out.add(found.getOrDefault(u, PresenceState.unknown(u)));
    }
    return out;
  }
}
