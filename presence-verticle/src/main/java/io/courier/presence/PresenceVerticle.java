package io.courier.presence;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import io.courier.cluster.Maps;
import io.courier.cluster.NodeContext;
import io.courier.cluster.PresenceEntry;
import io.courier.cluster.PresenceRegistry;
import io.courier.protocol.Addresses;
import io.courier.protocol.Bus;
import io.courier.protocol.BusFailures;
import io.courier.protocol.ErrorCodes;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers cluster-wide presence queries and keeps the presence map free of ghosts: when a
 * Hazelcast member leaves (crash or shutdown), every device it held is removed. Every presence
 * verticle in the cluster does the purge; it is idempotent, so one survivor suffices.
 */
public final class PresenceVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(PresenceVerticle.class);
  static final int MAX_USERS_PER_QUERY = 500;

  private final NodeContext node;
  private PresenceRegistry registry;
  private UUID membershipRegistration;

  public PresenceVerticle(NodeContext node) {
    this.node = node;
  }

  @Override
  public Future<?> start() {
    registry = new PresenceRegistry(vertx, node.hazelcast());
    Context ctx = context;
    membershipRegistration = node.hazelcast().getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {}

      @Override
      public void memberRemoved(MembershipEvent event) {
        String goneNode = event.getMember().getAttribute(Maps.NODE_ID_ATTRIBUTE);
        String goneMember = event.getMember().getUuid().toString();
        // Hazelcast event thread: hop onto our context before touching Vert.x APIs.
        ctx.runOnContext(v -> purge(goneNode, goneMember));
      }
    });
    MessageConsumer<JsonObject> query = vertx.eventBus().consumer(Addresses.PRESENCE_QUERY, this::onQuery);
    return query.completion();
  }

  @Override
  public Future<?> stop() {
    if (membershipRegistration != null) {
      node.hazelcast().getCluster().removeMembershipListener(membershipRegistration);
    }
    return Future.succeededFuture();
  }

  private void purge(String nodeId, String memberId) {
    long started = System.currentTimeMillis();
    registry.purgeMember(memberId)
        .onSuccess(v -> LOG.atInfo().addKeyValue("nodeId", node.nodeId()).addKeyValue("goneNodeId", nodeId)
            .addKeyValue("tookMs", System.currentTimeMillis() - started).log("purged presence of departed node"))
        .onFailure(err -> LOG.atWarn().addKeyValue("nodeId", node.nodeId()).addKeyValue("goneNodeId", nodeId)
            .setCause(err).log("presence purge failed"));
  }

  private void onQuery(Message<JsonObject> msg) {
    JsonObject req = msg.body();
    JsonArray users = req == null ? null : req.getJsonArray(Bus.USERS);
    if (users == null || !(req.getValue(Bus.V) instanceof Integer v) || v > Bus.VERSION) {
      msg.fail(BusFailures.INVALID, BusFailures.message(ErrorCodes.BAD_FRAME, "presence needs v and users"));
      return;
    }
    if (users.size() > MAX_USERS_PER_QUERY) {
      msg.fail(BusFailures.INVALID, BusFailures.message(ErrorCodes.BAD_FRAME,
          "at most " + MAX_USERS_PER_QUERY + " users per presence request"));
      return;
    }
    List<String> ids = new ArrayList<>(users.size());
    for (Object u : users) {
      if (!(u instanceof String s)) {
        msg.fail(BusFailures.INVALID, BusFailures.message(ErrorCodes.BAD_FRAME, "users must be strings"));
        return;
      }
      ids.add(s);
    }
    registry.getAll(ids)
        .onSuccess(found -> msg.reply(new JsonObject().put(Bus.V, Bus.VERSION).put(Bus.USERS, describe(ids, found))))
        .onFailure(err -> msg.fail(BusFailures.STORE_UNAVAILABLE,
            BusFailures.message(ErrorCodes.UNAVAILABLE, "presence map unavailable")));
  }

  /** The wire shape of presence: {id: {online, devices, since}}; offline users carry last-seen as since. */
  static JsonObject describe(List<String> ids, Map<String, PresenceEntry> found) {
    JsonObject out = new JsonObject();
    for (String id : ids) {
      PresenceEntry e = found.get(id);
      JsonObject s = new JsonObject();
      if (e != null && e.online()) {
        s.put("online", true).put("devices", e.devices().size()).put("since", e.since());
      } else {
        s.put("online", false).put("devices", 0);
        if (e != null && e.lastSeen() > 0) {
          s.put("since", e.lastSeen());
        }
      }
      out.put(id, s);
    }
    return out;
  }
}
