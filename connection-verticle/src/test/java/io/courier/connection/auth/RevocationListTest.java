package io.courier.connection.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.protocol.Bus;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which tokens a revocation covers, at its edges, and how the local list keeps and forgets them. */
class RevocationListTest {
  static final long TTL = 60_000;
  static final long R = 1_718_000_000_500L;

  static Identity token(String user, String jti, long iatSeconds) {
    return new Identity(user, (iatSeconds + 3600) * 1000, List.of(), jti, iatSeconds * 1000, List.of());
  }

  @Test
  void aUserRevocationCoversTokensIssuedUpToItsSecondAndTokensWithoutIat() {
    RevocationList list = new RevocationList(TTL);
    assertThat(list.apply(new Revocation(Revocation.Kind.USER, "alice", R), R)).isTrue();
    long second = R / 1000;
    assertThat(list.revoked(token("alice", "a", second - 1), R)).isTrue();
    // iat has second precision: a token of the revocation's own second may predate it, so it is refused.
    assertThat(list.revoked(token("alice", "b", second), R)).isTrue();
    assertThat(list.revoked(token("alice", "c", second + 1), R)).as("issued after").isFalse();
    assertThat(list.revoked(token("alice", "d", 0), R)).as("no iat: issue time unknown").isTrue();
    assertThat(list.revoked(token("bob", "e", second - 1), R)).as("another user").isFalse();
  }

  @Test
  void aJtiRevocationCoversThatTokenOnly() {
    RevocationList list = new RevocationList(TTL);
    list.apply(new Revocation(Revocation.Kind.JTI, "t-1", R), R);
    assertThat(list.revoked(token("alice", "t-1", R / 1000 + 100), R)).as("whatever its iat").isTrue();
    assertThat(list.revoked(token("alice", "t-2", R / 1000 - 100), R)).isFalse();
    assertThat(list.revoked(token("alice", null, R / 1000 - 100), R)).as("a token without jti").isFalse();
  }

  @Test
  void entriesExpireAfterTheTtlAndArePruned() {
    RevocationList list = new RevocationList(TTL);
    list.apply(new Revocation(Revocation.Kind.USER, "alice", R), R);
    Identity old = token("alice", "x", R / 1000 - 10);
    assertThat(list.revoked(old, R + TTL - 1)).isTrue();
    assertThat(list.revoked(old, R + TTL)).isFalse();
    assertThat(list.prune(R + TTL - 1)).isEqualTo(1);
    assertThat(list.prune(R + TTL)).isZero();
    assertThat(list.apply(new Revocation(Revocation.Kind.USER, "late", R), R + TTL))
        .as("an already expired revocation is not added").isFalse();
  }

  @Test
  void theLaterOfTwoUserRevocationsWinsAndAnOlderRemovalDoesNotUndoIt() {
    RevocationList list = new RevocationList(TTL);
    list.apply(new Revocation(Revocation.Kind.USER, "alice", R), R);
    Identity between = token("alice", "x", R / 1000 + 5);
    assertThat(list.revoked(between, R)).isFalse();
    assertThat(list.apply(new Revocation(Revocation.Kind.USER, "alice", R + 10_000), R + 10_000)).isTrue();
    assertThat(list.revoked(between, R + 10_000)).isTrue();
    assertThat(list.apply(new Revocation(Revocation.Kind.USER, "alice", R), R + 10_000))
        .as("an older one arriving late changes nothing").isFalse();
    assertThat(list.apply(new Revocation(Revocation.Kind.USER, "alice", R + 10_000), R + 10_000))
        .as("the same one twice (bus and map) sweeps once").isFalse();
    list.remove("u:alice", R);
    assertThat(list.revoked(between, R + 10_000)).as("expiry of the older entry").isTrue();
    list.remove("u:alice", R + 10_000);
    assertThat(list.revoked(between, R + 10_000)).isFalse();
  }

  @Test
  void busDocumentsAndRedisMembersRoundTrip() {
    Revocation u = new Revocation(Revocation.Kind.USER, "a:b:c", R);
    Revocation j = new Revocation(Revocation.Kind.JTI, "9f2e", R);
    assertThat(Revocation.fromBus(u.toBus())).isEqualTo(u);
    assertThat(Revocation.fromBus(j.toBus())).isEqualTo(j);
    assertThat(Revocation.fromBus(u.toBus().put(Bus.V, Bus.VERSION + 1))).as("a newer version").isNull();
    assertThat(Revocation.fromBus(new JsonObject().put(Bus.V, 1).put(Bus.AT, R))).isNull();
    assertThat(Revocation.fromBus(new JsonObject().put(Bus.V, 1).put(Bus.USER, "").put(Bus.AT, R))).isNull();
    assertThat(RedisRevocations.parse(RedisRevocations.member(u))).isEqualTo(u);
    assertThat(RedisRevocations.parse(RedisRevocations.member(j))).isEqualTo(j);
    assertThat(RedisRevocations.parse("x:1:y")).isNull();
    assertThat(RedisRevocations.parse("u:abc:y")).isNull();
    assertThat(RedisRevocations.parse("u:1:")).isNull();
    assertThat(Revocation.fromKey("u:alice", R)).isEqualTo(new Revocation(Revocation.Kind.USER, "alice", R));
    assertThat(Revocation.fromKey("u:", R)).isNull();
    assertThatThrownBy(() -> new Revocation(Revocation.Kind.USER, "x".repeat(257), R))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
