package io.courier.connection.auth;

import io.courier.connection.session.Session;
import io.courier.connection.session.Sessions;
import io.courier.protocol.Addresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.Consumer;

/**
 * The node's one consumer of {@link Addresses#REVOCATIONS} (one clustered registration per node,
 * whatever the number of connections), and the sweeper that closes this node's connections a new
 * revocation covers with 4003, each on its own event loop.
 */
public final class RevocationVerticle extends VerticleBase {
  private final Revocations revocations;
  private final Sessions sessions;
  private final Consumer<Revocation> sweeper = this::sweep;

  public RevocationVerticle(Revocations revocations, Sessions sessions) {
    this.revocations = revocations;
    this.sessions = sessions;
  }

  @Override
  public Future<?> start() {
    revocations.onRevoked(sweeper);
    return vertx.eventBus().<JsonObject>consumer(Addresses.REVOCATIONS, this::onPublished).completion();
  }

  @Override
  public Future<?> stop() {
    revocations.removeSweeper(sweeper);
    return Future.succeededFuture();
  }

  private void onPublished(Message<JsonObject> msg) {
    Revocation r = Revocation.fromBus(msg.body());
    if (r != null) {
      revocations.apply(r);
    }
  }

  /** Any thread: each candidate session checks its own current token on its own context. */
  private void sweep(Revocation r) {
    List<Session> candidates = r.kind() == Revocation.Kind.USER ? sessions.of(r.subject()) : sessions.all();
    for (Session s : candidates) {
      s.context().runOnContext(v -> s.closeIfRevoked());
    }
  }
}
