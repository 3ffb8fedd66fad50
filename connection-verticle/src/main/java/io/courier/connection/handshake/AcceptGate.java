package io.courier.connection.handshake;

import io.courier.connection.transport.Channels;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;

/**
 * A listening socket's share of COURIER_MAX_PENDING_HANDSHAKES, kept where sockets are accepted.
 *
 * <p>A handler at the head of the listener's pipeline sees each accepted socket on the acceptor
 * thread, before Vert.x hands it to an event loop: it takes the socket's pending place there (or
 * closes it, refused, when there is none), and when that was the last place the listener stops
 * accepting at once, from the same thread, so no further socket is taken from the kernel's accept
 * queue. New connections then wait in that queue, holding no descriptor of the node, until a
 * place frees and {@link PendingHandshakes} resumes the listener. Counting later, on the event
 * loops, would let the acceptor run ahead of the count (it accepts up to 16 sockets per wake-up)
 * and refuse what it had already taken.
 *
 * <p>The place travels with the socket (a channel attribute) to {@link ConnectionGuard}, which
 * takes it over; until then the socket's close gives it back, so a socket Vert.x never announces
 * (a TLS handshake that fails) does not keep it.
 */
final class AcceptGate implements PendingHandshakes.Acceptor {
  private static final AttributeKey<Admitted> ADMITTED = AttributeKey.valueOf("courier.pendingPlace");

  /** A socket's place and the close listener that gives it back until the guard takes over. */
  private record Admitted(PendingHandshakes.Place place, GenericFutureListener<Future<? super Void>> onClose) {}

  private final Channel listener;
  private final PendingHandshakes pending;

  AcceptGate(Channel listener, PendingHandshakes pending) {
    this.listener = listener;
    this.pending = pending;
  }

  /** Puts the counting handler at the head of the listener's pipeline. */
  void install() {
    listener.pipeline().addFirst("courier-accept-gate", new Counting());
  }

  @Override
  public void accepting(boolean on) {
    Channels.accepting(listener, on);
  }

  /**
   * The place the gate took for {@code ch}, handed over once (or null): from then on the caller
   * gives it back, and the socket keeps no attribute or listener of the gate's.
   */
  @SuppressWarnings("deprecation") // getAndRemove: the attribute is dropped, not kept holding null
  static PendingHandshakes.Place placeOf(Channel ch) {
    Admitted a = ch.attr(ADMITTED).getAndRemove();
    if (a == null) {
      return null;
    }
    ch.closeFuture().removeListener(a.onClose());
    return a.place();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AcceptGate g && g.listener == listener;
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(listener);
  }

  @ChannelHandler.Sharable
  private final class Counting extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!(msg instanceof Channel child)) {
        ctx.fireChannelRead(msg);
        return;
      }
      PendingHandshakes.Place place = pending.tryAcquire();
      if (place == null) {
        // Accepted before the pause took effect (or resumed into a full count): refused, as before.
        child.unsafe().closeForcibly();
        return;
      }
      GenericFutureListener<Future<? super Void>> onClose = f -> place.release();
      child.attr(ADMITTED).set(new Admitted(place, onClose));
      child.closeFuture().addListener(onClose);
      ctx.fireChannelRead(child);
    }
  }
}
