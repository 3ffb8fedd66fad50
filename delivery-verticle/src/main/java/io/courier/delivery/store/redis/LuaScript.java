package io.courier.delivery.store.redis;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.impl.types.ErrorType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A Lua script run by its SHA-1 (EVALSHA), sending the text (EVAL) only when the server does not
 * know it, e.g. after a restart or SCRIPT FLUSH. The SHA is computed here rather than asked from
 * the server with SCRIPT LOAD, so a store can be created while Redis is down.
 */
public final class LuaScript {
  private final String text;
  private final String sha;

  public LuaScript(String text) {
    this.text = text;
    this.sha = sha1(text);
  }

  public Future<Response> run(PipelinedRedis redis, List<String> keys, List<String> args) {
    return redis.send(request(Command.EVALSHA, sha, keys, args)).recover(err -> {
      if (err instanceof ErrorType e && e.is("NOSCRIPT")) {
        return redis.send(request(Command.EVAL, text, keys, args));
      }
      return Future.failedFuture(err);
    });
  }

  /**
   * Runs the script once per (keys, args) pair in one pipelined batch: one write, one connection,
   * replies in order (a batch larger than {@link PipelinedRedis#maxInFlight} goes in consecutive parts). A batch fails as a whole if any call fails; when the server did not know the
   * script, it is loaded and the batch sent once more (the callers' scripts are safe to repeat).
   */
  public Future<List<Response>> runAll(PipelinedRedis redis, List<List<String>> keys, List<List<String>> args) {
    List<Request> batch = new java.util.ArrayList<>(keys.size());
    for (int i = 0; i < keys.size(); i++) {
      batch.add(request(Command.EVALSHA, sha, keys.get(i), args.get(i)));
    }
    return redis.batch(batch).recover(err -> {
      if (String.valueOf(err.getMessage()).contains("NOSCRIPT")) {
        return redis.send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(text)).compose(loaded -> redis.batch(batch));
      }
      return Future.failedFuture(err);
    });
  }

  private static Request request(Command cmd, String script, List<String> keys, List<String> args) {
    Request r = Request.cmd(cmd).arg(script).arg(keys.size());
    keys.forEach(r::arg);
    args.forEach(r::arg);
    return r;
  }

  private static String sha1(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
