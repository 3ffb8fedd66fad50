package io.courier.delivery.store.redis;

/**
 * The inbox scripts as they were before the meta hash kept the first entry's ts ({@code o},
 * {@code ok}), kept verbatim so tests can write inboxes the way an earlier version did: the data a
 * node upgraded in place finds, or that a node not yet upgraded writes during a rolling upgrade.
 */
public final class PreviousInboxScripts {
  private PreviousInboxScripts() {}

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
      -- Also returns the stream's body bytes (0 for an empty stream, whatever the counter said).
      local function head(meta, inbox, candidate)
        local h = redis.call('HMGET', meta, 'epoch', 'seq', 'bytes')
        if h[1] then
          local last = tonumber(h[2]) or 0
          local top = redis.call('XREVRANGE', inbox, '+', '-', 'COUNT', 1)
          if #top == 0 or seq_of(top[1][1]) <= last then
            local bytes = tonumber(h[3]) or 0
            if #top == 0 and bytes ~= 0 then
              bytes = 0
              redis.call('HSET', meta, 'bytes', 0)
            end
            return h[1], last, bytes
          end
        end
        redis.call('DEL', inbox)
        redis.call('HSET', meta, 'epoch', candidate, 'seq', 0, 'bytes', 0)
        return candidate, 0, 0
      end

      local function body_len(e)
        return string.len(field(e[2], 'b') or '')
      end

      -- Drops the stream's entries before the entry id keep (the whole batch read if keep is nil),
      -- takes the bodies of the dropped ones off the counter, and returns the new count.
      local function drop_before(meta, inbox, batch, keep, bytes)
        local dropped = 0
        for _, e in ipairs(batch) do
          if e[1] == keep then break end
          dropped = dropped + body_len(e)
        end
        if not keep then keep = (seq_of(batch[#batch][1]) + 1) .. '-0' end
        redis.call('XTRIM', inbox, 'MINID', keep)
        bytes = math.max(0, bytes - dropped)
        redis.call('HSET', meta, 'bytes', bytes)
        return bytes
      end

      -- Drops entries older than cutoff from the front, at most budget of them per call.
      local function trim_expired(meta, inbox, cutoff, budget, bytes)
        if cutoff <= 0 then return bytes end
        local oldest = redis.call('XRANGE', inbox, '-', '+', 'COUNT', 1)
        if #oldest == 0 or tonumber(field(oldest[1][2], 's')) >= cutoff then return bytes end
        local batch = redis.call('XRANGE', inbox, '-', '+', 'COUNT', budget)
        local keep = nil
        for _, e in ipairs(batch) do
          if tonumber(field(e[2], 's')) >= cutoff then
            keep = e[1]
            break
          end
        end
        return drop_before(meta, inbox, batch, keep, bytes)
      end
      """;

  /**
   * KEYS: meta, inbox, dedupe. ARGV: candidate epoch, id, from, target field ('t' to, 'r' room),
   * target, body, ts, dedupe window ms, max messages, age cutoff ts, trim budget, inbox ttl ms,
   * max body bytes (0 = off for the last six but the trim budget). Returns {dup 0|1, seq, epoch, ts}.
   * Past the count or byte limit the oldest entries are dropped; the new one always stays.
   */
  public static final LuaScript APPEND = new LuaScript(COMMON + """
      local epoch, last, bytes = head(KEYS[1], KEYS[2], ARGV[1])
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
      bytes = bytes + string.len(ARGV[6])
      redis.call('HSET', KEYS[1], 'seq', seq, 'bytes', bytes)
      if window > 0 then
        redis.call('SET', KEYS[3], epoch .. ' ' .. seq .. ' ' .. ARGV[7], 'PX', ARGV[8])
      end
      local max = tonumber(ARGV[9])
      if max > 0 then
        local over = redis.call('XLEN', KEYS[2]) - max
        if over > 0 then
          bytes = drop_before(KEYS[1], KEYS[2], redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', over), nil, bytes)
        end
      end
      bytes = trim_expired(KEYS[1], KEYS[2], tonumber(ARGV[10]), tonumber(ARGV[11]), bytes)
      local maxb = tonumber(ARGV[13])
      while maxb > 0 and bytes > maxb do
        local batch = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 64)
        local keep = nil
        local left = bytes
        for _, e in ipairs(batch) do
          if left <= maxb or seq_of(e[1]) >= seq then
            keep = e[1]
            break
          end
          left = left - body_len(e)
        end
        bytes = drop_before(KEYS[1], KEYS[2], batch, keep, bytes)
        if keep and seq_of(keep) >= seq then
          -- Only the new entry is left: the counter is its body, whatever it said before.
          bytes = string.len(ARGV[6])
          redis.call('HSET', KEYS[1], 'bytes', bytes)
          break
        end
      end
      local ttl = tonumber(ARGV[12])
      if ttl > 0 then redis.call('PEXPIRE', KEYS[2], ttl) end
      return {'0', tostring(seq), epoch, ARGV[7]}
      """);

  /**
   * KEYS: meta, inbox. ARGV: candidate epoch, after, limit, age cutoff ts (0 = none), trim budget.
   * Returns {epoch, lastSeq, firstAvailable, {{id, {field, value, ...}}, ...}}.
   */
  public static final LuaScript READ = new LuaScript(COMMON + """
      local epoch, last, bytes = head(KEYS[1], KEYS[2], ARGV[1])
      local cutoff = tonumber(ARGV[4])
      trim_expired(KEYS[1], KEYS[2], cutoff, tonumber(ARGV[5]), bytes)
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
