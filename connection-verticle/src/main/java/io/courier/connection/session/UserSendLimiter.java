package io.courier.connection.session;

import io.courier.cluster.HazelcastFutures;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The per-user send limit as one gateway instance sees it: tokens leased in batches of
 * {@code lease} from the user's cluster-wide bucket ({@link UserSendBuckets})
 * and spent here, so a send costs a cluster call only once per batch. Leased tokens are kept for
 * {@link #LEASE_TTL_MS} at most, then dropped (the cluster bucket has refilled meanwhile).
 *
 * <p>Accuracy: a token is spent only after the cluster bucket gave it out, so a user never sends
 * more than the bucket allows plus what instances hold in unspent leases (at most {@code lease - 1}
 * each, and only until they expire). The other way round, a user may be refused while another
 * instance holds unspent tokens of theirs. With {@code lease} 1 the limit is exact. When the
 * bucket is empty, the cluster's answer says when the next token exists; sends until then are
 * refused here without a cluster call. Runs on one gateway instance's event loop.
 */
public final class UserSendLimiter {
  /** How long leased tokens stay spendable here. */
  static final long LEASE_TTL_MS = 10_000;

  /** The cluster call: take up to {@code want} tokens of {@code userId}'s bucket. */
  interface Buckets {
    Future<SendBucket.Grant> lease(String userId, int want);
  }

  private static final class Allowance {
    int tokens;
    long expiresAt;
    long emptyUntil;
    List<Promise<Boolean>> waiting;
  }

  private final Buckets buckets;
  private final int lease;
  private final Runnable onLease;
  private final Map<String, Allowance> users = new HashMap<>();

  /** {@code onLease} counts each cluster call (metrics). */
  public UserSendLimiter(Buckets buckets, int lease, Runnable onLease) {
    if (lease < 1) {
      throw new IllegalArgumentException("lease must be >= 1");
    }
    this.buckets = buckets;
    this.lease = lease;
    this.onLease = onLease;
  }

  /** Takes one send token of {@code userId}: true to go ahead, false when the user is over the limit. */
  Future<Boolean> acquire(String userId, long nowMs) {
    Allowance a = users.computeIfAbsent(userId, u -> new Allowance());
    if (a.tokens > 0 && nowMs < a.expiresAt) {
      a.tokens--;
      return Future.succeededFuture(true);
    }
    if (a.waiting == null && nowMs < a.emptyUntil) {
      return Future.succeededFuture(false);
    }
    Promise<Boolean> p = Promise.promise();
    if (a.waiting != null) {
      a.waiting.add(p);
      return p.future();
    }
    a.waiting = new ArrayList<>(1);
    a.waiting.add(p);
    onLease.run();
    buckets.lease(userId, lease).onComplete(ar -> {
      long now = System.currentTimeMillis();
      List<Promise<Boolean>> waiters = a.waiting;
      a.waiting = null;
      if (ar.failed()) {
        // The cluster did not answer: let these sends through rather than fail them on a limit
        // that cannot be checked; the store call that follows has its own timeout.
        waiters.forEach(w -> w.complete(true));
        return;
      }
      SendBucket.Grant g = ar.result();
      a.tokens = g.granted();
      a.expiresAt = now + LEASE_TTL_MS;
      a.emptyUntil = g.granted() < lease ? now + g.retryAfterMs() : 0;
      List<Promise<Boolean>> unserved = new ArrayList<>();
      for (Promise<Boolean> w : waiters) {
        if (a.tokens > 0) {
          a.tokens--;
          w.complete(true);
        } else if (g.granted() == lease) {
          unserved.add(w); // the bucket may hold more: one more lease for these
        } else {
          w.complete(false);
        }
      }
      for (Promise<Boolean> w : unserved) {
        acquire(userId, now).onComplete(w);
      }
    });
    return p.future();
  }

  /** Forgets users whose leases have expired and who are not waiting for one. */
  public void expire(long nowMs) {
    Iterator<Allowance> it = users.values().iterator();
    while (it.hasNext()) {
      Allowance a = it.next();
      if (a.waiting == null && nowMs >= a.expiresAt && nowMs >= a.emptyUntil) {
        it.remove();
      }
    }
  }

  int users() {
    return users.size();
  }

  /** Adapts the cluster buckets to {@link Buckets} on {@code context}. */
  public static Buckets cluster(UserSendBuckets b, Context context, double ratePerS, double burst) {
    return (userId, want) -> HazelcastFutures.onContext(b.lease(userId, ratePerS, burst, want), context);
  }
}
