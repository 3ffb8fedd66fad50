package io.courier.delivery.store.redis;

/**
 * Membership scripts. Each changes one set atomically with its cap check; the room-side ones also
 * keep the registry {@link RedisKeys#ROOMS} (rooms that have members) in step, in the same script,
 * so the room count never drifts. Those touch two keys of different hash slots, which a standalone
 * Redis (what the store connects to) runs atomically; the inbox scripts stay single-slot.
 */
public final class RoomScripts {
  private RoomScripts() {}

  /**
   * KEYS: set [, registry]. ARGV: id, cap (0 = none) [, name to register]. Returns 1 added,
   * 0 already present, -1 full.
   */
  public static final LuaScript ADD = new LuaScript("""
      if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 0 end
      local cap = tonumber(ARGV[2])
      if cap > 0 and redis.call('SCARD', KEYS[1]) >= cap then return -1 end
      redis.call('SADD', KEYS[1], ARGV[1])
      if KEYS[2] then redis.call('SADD', KEYS[2], ARGV[3]) end
      return 1
      """);

  /**
   * KEYS: set [, registry]. ARGV: id [, name registered there]. Returns 1 if the id was there. An
   * emptied set is gone (Redis drops empty sets) and, with a registry, is unregistered.
   */
  public static final LuaScript REMOVE = new LuaScript("""
      local removed = redis.call('SREM', KEYS[1], ARGV[1])
      if KEYS[2] and redis.call('SCARD', KEYS[1]) == 0 then redis.call('SREM', KEYS[2], ARGV[2]) end
      return removed
      """);

  /** KEYS: room members, registry. ARGV: room. Deletes the room; returns its members. */
  public static final LuaScript DELETE = new LuaScript("""
      local members = redis.call('SMEMBERS', KEYS[1])
      redis.call('DEL', KEYS[1])
      redis.call('SREM', KEYS[2], ARGV[1])
      return members
      """);
}
