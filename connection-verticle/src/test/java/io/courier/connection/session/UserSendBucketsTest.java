package io.courier.connection.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.cluster.Maps;
import io.courier.protocol.CourierConfig;
import io.courier.testing.Ports;
import io.courier.testing.TestCluster;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Leases of one user's bucket from two members at once never hand out more than the bucket holds. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UserSendBucketsTest {
  TestCluster.Member a;
  TestCluster.Member b;

  @BeforeAll
  void start() {
    CourierConfig cfg = TestCluster.config(Ports.uniqueName("buckets"));
    a = TestCluster.start(cfg, "buckets-a");
    b = TestCluster.join(cfg, cfg.getInt(io.courier.protocol.ConfigKeys.CLUSTER_PORT), "buckets-b");
  }

  @AfterAll
  void stop() {
    Future.join(a.vertx().close(), b.vertx().close()).await();
  }

  @Test
  void concurrentLeasesFromTwoMembersShareOneBucket() throws Exception {
    UserSendBuckets onA = new UserSendBuckets(a.node().hazelcast());
    UserSendBuckets onB = new UserSendBuckets(b.node().hazelcast());
    String user = "u-" + UUID.randomUUID();
    // One token every 1000 s: nothing refills during the test.
    double rate = 0.001;
    int burst = 101;
    List<CompletableFuture<SendBucket.Grant>> leases = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      leases.add(onA.lease(user, rate, burst, 3).toCompletableFuture());
      leases.add(onB.lease(user, rate, burst, 4).toCompletableFuture());
    }
    int granted = 0;
    for (CompletableFuture<SendBucket.Grant> f : leases) {
      granted += f.get(30, TimeUnit.SECONDS).granted();
    }
    assertThat(granted).isEqualTo(burst);
    SendBucket.Grant after = onB.lease(user, rate, burst, 1).toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertThat(after.granted()).isZero();
    assertThat(after.retryAfterMs()).isGreaterThan(0);
  }

  @Test
  void aBucketExpiresOnceItWouldBeFullAgain() throws Exception {
    UserSendBuckets onA = new UserSendBuckets(a.node().hazelcast());
    String user = "v-" + UUID.randomUUID();
    // 10 tokens/s, burst 2: empty now, full again after 200 ms, entry kept 1.2 s.
    assertThat(onA.lease(user, 10, 2, 2).toCompletableFuture().get(30, TimeUnit.SECONDS).granted()).isEqualTo(2);
    assertThat(a.node().hazelcast().getMap(Maps.USER_SEND_BUCKETS).containsKey(user)).isTrue();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (a.node().hazelcast().getMap(Maps.USER_SEND_BUCKETS).containsKey(user) && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(a.node().hazelcast().getMap(Maps.USER_SEND_BUCKETS).containsKey(user)).as("expired").isFalse();
  }
}
