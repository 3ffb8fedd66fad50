package io.courier.delivery.store.redis;

/**
 * The two inbox scripts. Each runs atomically on the inbox's keys (one hash slot), so seq
 * assignment, storing, dedupe and retention never interleave with another append or read.
 */
public final class InboxScripts {
  private InboxScripts() {}

  private static final String COMMON = """
      local function seq_of(id)
        return tonumber(string.match(id, '^(%d+)%-'))
      end

      local function field(fields, name)
        for i = 1, #fields, 2 do
          if fields[i] == name then return fields[i + 1] end
        end
        return nil
      end

      -- The epoch and last seq. Missing meta (data lost), or a stream running ahead of the meta
      -- (restored from an older copy), starts a new epoch on an empty stream: no seq is ever reused
      -- within an epoch, and the old generation's entries are never shown under the new one.
      local function head(meta, inbox, candidate)
        local h = redis.call('HMGET', meta, 'epoch', 'seq')
        if h[1] then
          local last = tonumber(h[2]) or 0
          local top = redis.call('XREVRANGE', inbox, '+', '-', 'COUNT', 1)
          if #top == 0 or seq_of(top[1][1]) <= last then
            return h[1], last
          end
        end
        redis.call('DEL', inbox)
        redis.call('HSET', meta, 'epoch', candidate, 'seq', 0)
        return candidate, 0
      end

      -- Drops entries older than cutoff from the front, at most budget of them per call.
      local function trim_expired(inbox, cutoff, budget)
        if cutoff <= 0 then return end
        local oldest = redis.call('XRANGE', inbox, '-', '+', 'COUNT', 1)
        if #oldest == 0 or tonumber(field(oldest[1][2], 's')) >= cutoff then return end
        local batch = redis.call('XRANGE', inbox, '-', '+', 'COUNT', budget)
        local keep = nil
        for _, e in ipairs(batch) do
          if tonumber(field(e[2], 's')) >= cutoff then
            keep = e[1]
            break
          end
        end
        if not keep then keep = (seq_of(batch[#batch][1]) + 1) .. '-0' end
        redis.call('XTRIM', inbox, 'MINID', keep)
      end
      """;

  /**
   * KEYS: meta, inbox, dedupe. ARGV: candidate epoch, id, from, target field ('t' to, 'r' room),
   * target, body, ts, dedupe window ms, max messages, age cutoff ts, trim budget, inbox ttl ms
   * (0 = off for the last five). Returns {dup 0|1, seq, epoch, ts}.
   */
  public static final LuaScript APPEND = new LuaScript(COMMON + """
      local epoch, last = head(KEYS[1], KEYS[2], ARGV[1])
      local window = tonumber(ARGV[8])
      if window > 0 then
        local seen = redis.call('GET', KEYS[3])
        if seen then
          local e, s, t = string.match(seen, '^(%S+) (%d+) (%d+)$')
          if e == epoch and tonumber(s) <= last then
            return {'1', s, epoch, t}
          end
        end
      end
      local seq = last + 1
      redis.call('XADD', KEYS[2], seq .. '-0', 'i', ARGV[2], 'f', ARGV[3], ARGV[4], ARGV[5], 'b', ARGV[6], 's', ARGV[7])
      redis.call('HSET', KEYS[1], 'seq', seq)
      if window > 0 then
        redis.call('SET', KEYS[3], epoch .. ' ' .. seq .. ' ' .. ARGV[7], 'PX', ARGV[8])
      end
      local max = tonumber(ARGV[9])
      if max > 0 then redis.call('XTRIM', KEYS[2], 'MAXLEN', max) end
      trim_expired(KEYS[2], tonumber(ARGV[10]), tonumber(ARGV[11]))
      local ttl = tonumber(ARGV[12])
      if ttl > 0 then redis.call('PEXPIRE', KEYS[2], ttl) end
      return {'0', tostring(seq), epoch, ARGV[7]}
      """);

  /**
   * KEYS: meta, inbox. ARGV: candidate epoch, after, limit, age cutoff ts (0 = none), trim budget.
   * Returns {epoch, lastSeq, firstAvailable, {{id, {field, value, ...}}, ...}}.
   */
  public static final LuaScript READ = new LuaScript(COMMON + """
      local epoch, last = head(KEYS[1], KEYS[2], ARGV[1])
      local cutoff = tonumber(ARGV[4])
      trim_expired(KEYS[2], cutoff, tonumber(ARGV[5]))
      local first = last + 1
      local oldest = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)
      if #oldest > 0 then first = seq_of(oldest[1][1]) end
      local page = {}
      local after = tonumber(ARGV[2])
      local limit = tonumber(ARGV[3])
      if limit > 0 and after < last then
        for _, e in ipairs(redis.call('XRANGE', KEYS[2], '(' .. ARGV[2] .. '-0', '+', 'COUNT', limit)) do
          if cutoff <= 0 or tonumber(field(e[2], 's')) >= cutoff then page[#page + 1] = e end
        end
      end
      return {epoch, tostring(last), tostring(first), page}
      """);
}
