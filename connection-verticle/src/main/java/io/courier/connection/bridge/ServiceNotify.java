package io.courier.connection.bridge;

import io.courier.connection.auth.TokenVerifier;
import io.courier.connection.session.DeliveryClient;
import io.courier.protocol.Addresses;
import io.courier.protocol.BusFailures;
import io.courier.protocol.ErrorCodes;
import io.courier.protocol.ServiceBridge;
import io.courier.protocol.bus.DeliverySend;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code courier.notify} (a local consumer, reached only through this node's TCP bridge):
 * authenticates the service from the message headers, checks {@code {id, to, body}}, and stores the
 * message in {@code to}'s inbox through {@code courier.delivery.send} with
 * {@code from = "system:<service>"}. Replies {@code {id, ts, dup}}; fails with the
 * {@link BusFailures} code and {@code "<wire error code>:<text>"}, which the bridge passes to the
 * service as an err frame.
 */
final class ServiceNotify {
  private static final Logger LOG = LoggerFactory.getLogger(ServiceNotify.class);
  private static final Pattern SERVICE_NAME = Pattern.compile(ServiceBridge.SERVICE_NAME_PATTERN);

  /** A refusal: the {@link BusFailures} code and the wire error code with its text. */
  static final class Refused extends RuntimeException {
    final int failureCode;

    Refused(int failureCode, String errorCode, String text) {
      super(BusFailures.message(errorCode, text), null, false, false);
      this.failureCode = failureCode;
    }
  }

  private final EventBus bus;
  private final String nodeId;
  private final TokenVerifier verifier;
  private final byte[] sharedSecret;
  private final DeliveryOptions toDelivery;
  private final int maxPending;
  private int pending;

  /**
   * @param sharedSecret {@code COURIER_TCP_BRIDGE_SECRET}, or empty to accept tokens only
   */
  ServiceNotify(EventBus bus, String nodeId, TokenVerifier verifier, String sharedSecret, long busTimeoutMs,
      int maxPending) {
    this.bus = bus;
    this.nodeId = nodeId;
    this.verifier = verifier;
    this.sharedSecret = sharedSecret == null || sharedSecret.isEmpty() ? null
        : sharedSecret.getBytes(StandardCharsets.UTF_8);
    this.toDelivery = new DeliveryOptions().setSendTimeout(busTimeoutMs);
    this.maxPending = maxPending;
  }

  /** Requests accepted and not answered yet. */
  int pending() {
    return pending;
  }

  void handle(Message<Object> msg) {
    if (pending >= maxPending) {
      refuse(msg, new Refused(BusFailures.RATE_LIMITED, ErrorCodes.RATE_LIMITED,
          "too many notifications waiting to be stored; resend later with the same id"), null);
      return;
    }
    pending++;
    Future<String> sender = authenticate(msg.headers());
    sender.compose(from -> store(from, msg.body())).onComplete(ar -> {
      pending--;
      if (ar.failed()) {
        refuse(msg, ar.cause(), sender.result());
        return;
      }
      JsonObject reply = ar.result();
      Object to = reply.remove(ServiceBridge.TO);
      LOG.atDebug().addKeyValue("nodeId", nodeId).addKeyValue("service", sender.result())
          .addKeyValue("userId", to).addKeyValue("dup", reply.getBoolean(ServiceBridge.DUP))
          .log("service notification stored");
      msg.reply(reply);
    });
  }

  /** The sender id of the service the headers authenticate ({@code system:<name>}). */
  Future<String> authenticate(MultiMap headers) {
    String token = headers.get(ServiceBridge.HEADER_TOKEN);
    if (token != null) {
      return verifier.verify(token)
          .recover(err -> Future.failedFuture(forbidden(err instanceof TokenVerifier.Rejected r ? r.getMessage()
              : "token not accepted")))
          .compose(id -> {
            if (!id.roles().contains(ServiceBridge.ROLE)) {
              return Future.failedFuture(forbidden("token lacks the '" + ServiceBridge.ROLE + "' role"));
            }
            if (!SERVICE_NAME.matcher(id.userId()).matches()) {
              return Future.failedFuture(forbidden("token sub must be a service name (" + ServiceBridge.SERVICE_NAME_PATTERN + ")"));
            }
            return Future.succeededFuture(ServiceBridge.sender(id.userId()));
          });
    }
    String secret = headers.get(ServiceBridge.HEADER_SECRET);
    if (secret != null) {
      if (sharedSecret == null) {
        return Future.failedFuture(forbidden("shared-secret authentication is not enabled on this node"));
      }
      if (!MessageDigest.isEqual(sharedSecret, secret.getBytes(StandardCharsets.UTF_8))) {
        return Future.failedFuture(forbidden("secret not accepted"));
      }
      String service = headers.get(ServiceBridge.HEADER_SERVICE);
      if (service == null || !SERVICE_NAME.matcher(service).matches()) {
        return Future.failedFuture(forbidden("headers.service must name the service (" + ServiceBridge.SERVICE_NAME_PATTERN + ")"));
      }
      return Future.succeededFuture(ServiceBridge.sender(service));
    }
    return Future.failedFuture(forbidden("authentication required: headers.token or headers.secret"));
  }

  /** Checks the request body and stores it; the reply is {@code {id, ts, dup, to}}. */
  private Future<JsonObject> store(String sender, Object requestBody) {
    if (!(requestBody instanceof JsonObject req)) {
      return Future.failedFuture(badFrame("body must be an object {id, to, body}"));
    }
    if (!(req.getValue(ServiceBridge.ID) instanceof String id) || id.isEmpty() || id.length() > ServiceBridge.MAX_ID_LENGTH) {
      return Future.failedFuture(badFrame("id must be a string of 1-" + ServiceBridge.MAX_ID_LENGTH + " characters"));
    }
    if (!(req.getValue(ServiceBridge.TO) instanceof String to) || to.isEmpty() || to.length() > ServiceBridge.MAX_USER_LENGTH) {
      return Future.failedFuture(badFrame("to must be a string of 1-" + ServiceBridge.MAX_USER_LENGTH + " characters"));
    }
    if (!req.containsKey(ServiceBridge.BODY)) {
      return Future.failedFuture(badFrame("body is required (any JSON value, null included)"));
    }
    DeliverySend.Request send = new DeliverySend.Request(sender, id, to, null,
        Json.encode(req.getValue(ServiceBridge.BODY)), System.currentTimeMillis());
    return bus.<JsonObject>request(Addresses.DELIVERY_SEND, send.toJson(), toDelivery)
        .recover(DeliveryClient::mapFailure)
        .map(m -> DeliverySend.Reply.fromJson(m.body()))
        .map(r -> new JsonObject().put(ServiceBridge.ID, id).put(ServiceBridge.TS, r.ts())
            .put(ServiceBridge.DUP, r.dup()).put(ServiceBridge.TO, to));
  }

  private void refuse(Message<Object> msg, Throwable err, String sender) {
    int code;
    String message;
    if (err instanceof Refused r) {
      code = r.failureCode;
      message = r.getMessage();
    } else if (err instanceof DeliveryClient.WireError w) {
      code = switch (w.code) {
        case ErrorCodes.BAD_FRAME -> BusFailures.INVALID;
        case ErrorCodes.UNAVAILABLE, ErrorCodes.OVERLOADED -> BusFailures.STORE_UNAVAILABLE;
        default -> BusFailures.INTERNAL;
      };
      message = BusFailures.message(w.code, w.getMessage());
    } else {
      code = BusFailures.INTERNAL;
      message = BusFailures.message(ErrorCodes.INTERNAL, "internal error");
    }
    LOG.atInfo().addKeyValue("nodeId", nodeId).addKeyValue("service", sender == null ? "-" : sender)
        .addKeyValue("error", message).log("service notification refused");
    msg.fail(code, message);
  }

  private static Refused forbidden(String text) {
    return new Refused(BusFailures.FORBIDDEN, ErrorCodes.FORBIDDEN, text);
  }

  private static Refused badFrame(String text) {
    return new Refused(BusFailures.INVALID, ErrorCodes.BAD_FRAME, text);
  }
}
