package io.courier.node;

import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;

/** Plain HTTP calls to a node's admin and health endpoints, blocking the test thread. */
final class Http {
  private Http() {}

  record Reply(int status, String retryAfter, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  static Reply call(HttpClient http, HttpMethod method, int port, String path, String bearer, String body) {
    return http.request(method, port, "127.0.0.1", path).compose(req -> {
      if (bearer != null) {
        req.putHeader("Authorization", "Bearer " + bearer);
      }
      if (body != null) {
        req.putHeader("Content-Type", "application/json");
      }
      return (body == null ? req.send() : req.send(body)).compose(resp -> resp.body()
          .map(b -> new Reply(resp.statusCode(), resp.getHeader("Retry-After"), b.toString())));
    }).await();
  }

  /** POST /admin/revoke with {@code body}. */
  static Reply revoke(HttpClient http, int port, String adminToken, JsonObject body) {
    return call(http, HttpMethod.POST, port, "/admin/revoke", adminToken, body.encode());
  }
}
