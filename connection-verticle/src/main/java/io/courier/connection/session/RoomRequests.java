package io.courier.connection.session;

import io.courier.protocol.ClientFrame;
import io.courier.protocol.ErrorCodes;
import io.courier.protocol.FrameTypes;
import io.courier.protocol.RoomClaims;
import io.courier.protocol.ServerFrames;
import io.vertx.core.Future;

/**
 * {@code join} and {@code leave}: allowed only for rooms the token's rooms claim covers (the claim
 * of the token the connection holds now, so a refresh can widen or narrow it). They go through the
 * connection's {@link SendPipeline}, so a join followed by a room send is stored in that order, and
 * count against the same backlog limit.
 */
final class RoomRequests {
  private final Session session;
  private final SendPipeline pipeline;
  private final DeliveryClient delivery;

  RoomRequests(Session session, SendPipeline pipeline, DeliveryClient delivery) {
    this.session = session;
    this.pipeline = pipeline;
    this.delivery = delivery;
  }

  void join(ClientFrame.Join f) {
    membership(f.room(), f.ref(), true);
  }

  void leave(ClientFrame.Leave f) {
    membership(f.room(), f.ref(), false);
  }

  private void membership(String room, String ref, boolean join) {
    String type = join ? FrameTypes.JOIN : FrameTypes.LEAVE;
    if (!RoomClaims.covers(session.identity().rooms(), room)) {
      session.writeError(ErrorCodes.FORBIDDEN, "the token's rooms claim does not cover room '" + room + "'", ref);
      return;
    }
    pipeline.enqueue("too many requests waiting; resend the " + type + " later", ref, () -> {
      String user = session.userId();
      Future<Boolean> done = join ? delivery.join(user, room) : delivery.leave(user, room);
      return done.transform(ar -> {
        if (ar.succeeded()) {
          session.write((join ? ServerFrames.joined(room, ref) : ServerFrames.left(room, ref)).encode());
        } else {
          session.writeFailure(ar.cause(), ref);
        }
        return Future.<Void>succeededFuture();
      });
    });
  }
}
