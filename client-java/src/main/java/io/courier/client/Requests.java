package io.courier.client;

import io.courier.protocol.ClientFrames;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Frames that get one answer on the same connection (join, leave, presence, watch, refresh): each
 * carries a {@code ref}, and the answer (or {@code error}) that echoes it completes the request.
 * Requests need a live connection; they fail when it ends first. Confined to the client's context.
 */
final class Requests {
  private static final Logger log = LoggerFactory.getLogger(CourierClient.class);
  private static final String REF_PREFIX = "req-";
  private static final String REFRESH_PREFIX = "refresh-";

  private record Pending(String replyType, Promise<JsonObject> promise, long timer) {}

  private final Vertx vertx;
  private final CourierClientOptions opts;
  private final Map<String, Pending> pending = new LinkedHashMap<>();
  private Connection conn;
  private long counter;

  Requests(Vertx vertx, CourierClientOptions opts) {
    this.vertx = vertx;
    this.opts = opts;
  }

  void attach(Connection c) {
    conn = c;
  }

  /**
   * Writes {@code frame} with a fresh ref. {@code replyType} is the frame type that answers it, or
   * null for frames without an answer (then the future completes once written).
   */
  Future<JsonObject> request(JsonObject frame, String replyType) {
    Connection c = conn;
    if (c == null || c.gone || !c.welcomed) {
      return Future.failedFuture(new NotConnectedException("not connected"));
    }
    String ref = REF_PREFIX + (++counter);
    frame.put(ClientFrames.REF, ref);
    if (replyType == null) {
      c.write(frame.encode());
      return Future.succeededFuture(new JsonObject());
    }
    Promise<JsonObject> p = Promise.promise();
    long timer = vertx.setTimer(opts.getRequestTimeoutMs(), t -> {
      Pending gone = pending.remove(ref);
      if (gone != null) {
        gone.promise.tryFail(new CourierClientException("no " + replyType + " within "
            + opts.getRequestTimeoutMs() + " ms"));
      }
    });
    pending.put(ref, new Pending(replyType, p, timer));
    c.write(frame.encode());
    return p.future();
  }

  /** A frame that may answer a request; true if it did. Without a ref, the oldest request of that type wins. */
  boolean onReply(String type, JsonObject f) {
    String ref = f.getString(ClientFrames.REF);
    if (ref != null) {
      Pending p = pending.get(ref);
      if (p == null || !p.replyType.equals(type)) {
        return false;
      }
      pending.remove(ref);
      settle(p, f, null);
      return true;
    }
    for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
      Pending p = it.next();
      if (p.replyType.equals(type)) {
        it.remove();
        settle(p, f, null);
        return true;
      }
    }
    return false;
  }

  boolean onError(String code, String message, String ref) {
    if (ref == null) {
      return false;
    }
    if (ref.startsWith(REFRESH_PREFIX)) {
      log.warn("in-band token refresh refused ({}: {}); the connection keeps its old token", code, message);
      return true;
    }
    Pending p = pending.remove(ref);
    if (p == null) {
      return false;
    }
    settle(p, null, new ServerErrorException(code, message == null ? code : message));
    return true;
  }

  void refresh(Connection c, String token) {
    c.write(ClientFrames.refresh(token, REFRESH_PREFIX + (++counter)));
  }

  void onRefreshed(JsonObject f) {
    log.debug("token refreshed in band, now expires at {}", f.getLong(ClientFrames.EXPIRES_AT));
  }

  void failAll(Throwable cause) {
    conn = null;
    for (Pending p : new ArrayList<>(pending.values())) {
      settle(p, null, cause);
    }
    pending.clear();
  }

  private void settle(Pending p, JsonObject result, Throwable failure) {
    vertx.cancelTimer(p.timer);
    if (failure != null) {
      p.promise.tryFail(failure);
    } else {
      p.promise.tryComplete(result);
    }
  }
}
