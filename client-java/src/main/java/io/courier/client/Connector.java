package io.courier.client;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.util.function.Supplier;

/**
 * One connection attempt's I/O: a token from the application's supplier, then the WebSocket
 * upgrade with a deadline. Failures come back as {@link AttemptFailed} carrying the
 * {@link ReconnectPolicy.Ending} to decide on. Futures complete on the client's context.
 */
final class Connector {
  /** Why an attempt produced no socket. */
  static final class AttemptFailed extends Exception {
    final ReconnectPolicy.Ending ending;

    AttemptFailed(ReconnectPolicy.Ending ending) {
      super(ending.toString(), null, false, false);
      this.ending = ending;
    }
  }

  private final Vertx vertx;
  private final Context ctx;
  private final CourierClientOptions opts;
  private final Supplier<Future<String>> tokens;
  private final WebSocketClient wsClient;

  Connector(Vertx vertx, Context ctx, CourierClientOptions opts, Supplier<Future<String>> tokens) {
    this.vertx = vertx;
    this.ctx = ctx;
    this.opts = opts;
    this.tokens = tokens;
    WebSocketClientOptions wo = new WebSocketClientOptions()
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, opts.getConnectTimeoutMs()))
        .setMaxFrameSize(opts.getMaxInboundMessageBytes())
        .setMaxMessageSize(opts.getMaxInboundMessageBytes())
        .setClosingTimeout(2)
        .setSsl(opts.isSsl());
    if (opts.getTrustOptions() != null) {
      wo.setTrustOptions(opts.getTrustOptions().copy());
    }
    this.wsClient = vertx.createWebSocketClient(wo);
  }

  /** A token from the supplier, on the client's context; a failure or blank token fails. */
  Future<String> token() {
    Future<String> f;
    try {
      f = tokens.get();
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    if (f == null) {
      f = Future.failedFuture(new IllegalStateException("the token supplier returned null"));
    }
    Promise<String> p = Promise.promise();
    f.onComplete(ar -> onCtx(() -> {
      if (ar.failed()) {
        p.fail(new CourierClientException("token supplier failed", ar.cause()));
      } else if (ar.result() == null || ar.result().isBlank()) {
        p.fail(new CourierClientException("token supplier returned no token"));
      } else {
        p.complete(ar.result());
      }
    }));
    return p.future();
  }

  /**
   * Opens the WebSocket. Fails with {@link AttemptFailed} on refusal, network error or when no
   * upgrade comes within {@code connectTimeoutMs}; a socket that arrives after that is closed.
   */
  Future<WebSocket> upgrade(CourierClientOptions.Server server, String token) {
    WebSocketConnectOptions o = new WebSocketConnectOptions()
        .setHost(server.host()).setPort(server.port()).setURI(opts.getPath()).setSsl(opts.isSsl())
        .setAllowOriginHeader(false).setConnectTimeout(opts.getConnectTimeoutMs())
        .putHeader("Authorization", "Bearer " + token);
    Promise<WebSocket> p = Promise.promise();
    long deadline = vertx.setTimer(opts.getConnectTimeoutMs(), t -> p.tryFail(new AttemptFailed(
        new ReconnectPolicy.Failed(new CourierClientException(
            "no WebSocket upgrade from " + server + " within " + opts.getConnectTimeoutMs() + " ms")))));
    wsClient.connect(o).onComplete(ar -> {
      vertx.cancelTimer(deadline);
      if (ar.succeeded()) {
        if (!p.tryComplete(ar.result())) {
          ar.result().close();
        }
      } else if (ar.cause() instanceof UpgradeRejectedException r) {
        String header = r.getHeaders() == null ? null : r.getHeaders().get("Retry-After");
        p.tryFail(new AttemptFailed(new ReconnectPolicy.Rejected(r.getStatus(),
            RetryAfter.parseMillis(header, System.currentTimeMillis()))));
      } else {
        p.tryFail(new AttemptFailed(new ReconnectPolicy.Failed(ar.cause())));
      }
    });
    return p.future();
  }

  Future<Void> close() {
    return wsClient.close().otherwiseEmpty();
  }

  private void onCtx(Runnable r) {
    if (Vertx.currentContext() == ctx) {
      r.run();
    } else {
      ctx.runOnContext(v -> r.run());
    }
  }
}
