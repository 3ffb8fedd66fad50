package io.courier.connection.session;

import io.courier.cluster.PresenceState;
import io.courier.connection.watch.PresenceWatch;
import io.courier.connection.watch.SessionWatches;
import io.courier.connection.watch.WatchSink;
import io.courier.protocol.Addresses;
import io.courier.protocol.ClientFrame;
import io.courier.protocol.ErrorCodes;
import io.courier.protocol.ServerFrames;
import io.courier.protocol.bus.PresenceQuery;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * {@code presence}, {@code watch} and {@code unwatch} of one connection, and the
 * {@code presence_changed} frames of the users it watches ({@link SessionWatches} keeps which).
 */
final class PresenceRequests implements WatchSink {
  private final Session session;
  private final PresenceWatch presence;
  private final long busTimeoutMs;
  private final SessionWatches watches = new SessionWatches();
  /** Watch requests one after the other, so their replies reach the client in request order. */
  private Future<Void> watchChain = Future.succeededFuture();

  PresenceRequests(Session session, PresenceWatch presence, long busTimeoutMs) {
    this.session = session;
    this.presence = presence;
    this.busTimeoutMs = busTimeoutMs;
  }

  /** {@code presence}: the users' state now, read from the presence service. */
  void query(ClientFrame.Users f) {
    if (f.users().size() > presence.maxQueryUsers()) {
      session.writeError(ErrorCodes.BAD_FRAME, "at most " + presence.maxQueryUsers() + " users per presence request",
          f.ref());
      return;
    }
    JsonObject req = new PresenceQuery.Request(f.users()).toJson();
    session.context().owner().eventBus().<JsonObject>request(Addresses.PRESENCE_QUERY, req,
            new DeliveryOptions().setSendTimeout(busTimeoutMs))
        .recover(DeliveryClient::mapFailure)
        .onSuccess(m -> session.write(ServerFrames.presence(PresenceQuery.Reply.fromJson(m.body()).usersJson(), f.ref())
            .encode()))
        .onFailure(err -> session.writeFailure(err, f.ref()));
  }

  /**
   * {@code watch}: watches the users (a repeated user, or one already watched, counts once) and
   * answers with their state as a {@code presence} frame; from then on their transitions come as
   * {@code presence_changed}. Refused whole with {@code rate_limited} when it would take the
   * connection past its cap.
   */
  void watch(ClientFrame.Users f) {
    List<String> users = SessionWatches.distinct(f.users());
    List<String> fresh = watches.fresh(users);
    if (watches.size() + fresh.size() > presence.maxWatchedUsers()) {
      presence.refused();
      session.writeError(ErrorCodes.RATE_LIMITED, "a connection watches at most " + presence.maxWatchedUsers()
          + " users (" + watches.size() + " now); unwatch some first", f.ref());
      return;
    }
    watches.begin(users);
    // Through compose, so even a call that throws ends in the failure branch and releases what begin() holds.
    watchChain = watchChain.transform(ignored -> Future.succeededFuture()
        .compose(v -> presence.watch(this, users, fresh))
        .transform(ar -> {
          watched(f, users, fresh, ar);
          return Future.<Void>succeededFuture();
        }));
  }

  /** The watch took effect (the reply, then changes held meanwhile) or failed (the error). */
  private void watched(ClientFrame.Users f, List<String> users, List<String> fresh,
                       AsyncResult<Map<String, PresenceState>> ar) {
    if (session.isClosed()) {
      return;
    }
    if (ar.succeeded()) {
      JsonObject states = new JsonObject();
      for (String u : users) {
        states.put(u, ar.result().getOrDefault(u, PresenceState.unknown(u)).wire());
      }
      session.write(ServerFrames.presence(states, f.ref()).encode());
      tell(watches.complete(users, ar.result()).tell());
    } else {
      SessionWatches.Outcome o = watches.fail(users, fresh);
      presence.forget(this, o.dropped());
      session.writeFailure(ar.cause(), f.ref());
      tell(o.tell());
    }
  }

  /** {@code unwatch}: no reply; changes of these users stop. */
  void unwatch(ClientFrame.Users f) {
    presence.unwatch(this, watches.remove(SessionWatches.distinct(f.users())));
  }

  /** The connection is gone: its watches go with it. */
  void release() {
    presence.unwatch(this, watches.clear());
  }

  @Override
  public Context context() {
    return session.context();
  }

  @Override
  public void onPresenceChanged(PresenceState state, String frame) {
    if (!session.isClosed() && watches.accept(state)) {
      session.write(frame);
      presence.pushed();
    }
  }

  private void tell(List<PresenceState> changes) {
    for (PresenceState s : changes) {
      session.write(ServerFrames.presenceChanged(s.user(), s.online(), s.devices(), s.since()).encode());
      presence.pushed();
    }
  }
}
