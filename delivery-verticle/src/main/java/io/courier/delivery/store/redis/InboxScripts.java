package io.courier.delivery.store.redis;

/**
 * The two inbox scripts. Each runs atomically on the inbox's keys (one hash slot), so seq
 * assignment, storing, dedupe and retention never interleave with another append or read.
 *
 * <p>The meta hash keeps, besides epoch and seq, {@code bytes}: the body bytes of the entries in
 * the stream, raised by each append and lowered by every trim (count, age and byte limits) by the
 * bodies it drops, which the trim reads first. An empty stream (trimmed, or expired by its TTL)
 * resets it to 0, and a byte trim that reaches the newest entry sets it to that entry's body: a
 * counter that went wrong (a restored backup) heals instead of emptying the inbox.
 *
 * <p>It also keeps {@code o}, the ts of the stream's first entry, so an append needs not read that
 * entry to know whether the age limit has anything to drop. {@code o} is trusted only while
 * {@code ok} is {@code <epoch>:<seq>} of the meta as it stands: an append that does not know the
 * first entry after its trims leaves {@code ok} behind, and so does any writer that does not keep
 * {@code o} (an earlier version of these scripts, during a rolling upgrade), since every append
 * moves seq; a missing {@code o} (an inbox written before it existed) is read from the stream once.
 * A read that trims updates both. Between appends only trims from the front change the first entry,
 * and those only raise its ts above the cutoff, so a trusted {@code o} is never above the first
 * entry's ts: "o is not expired" always means nothing is due.
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

      -- Missing meta (data lost), or a stream running ahead of the meta (restored from an older
      -- copy), starts a new epoch on an empty stream: no seq is ever reused within an epoch, and the
      -- old generation's entries are never shown under the new one.
      local function reset(meta, inbox, candidate)
        redis.call('DEL', inbox)
        redis.call('HSET', meta, 'epoch', candidate, 'seq', 0, 'bytes', 0)
        return candidate
      end

      local function body_len(e)
        return string.len(field(e[2], 'b') or '')
      end

      -- Drops the stream's entries before the entry id keep (the whole batch read if keep is nil),
      -- and returns the body bytes counter less the bodies of the dropped ones.
      local function drop_before(inbox, batch, keep, bytes)
        local dropped = 0
        for _, e in ipairs(batch) do
          if e[1] == keep then break end
          dropped = dropped + body_len(e)
        end
        if not keep then keep = (seq_of(batch[#batch][1]) + 1) .. '-0' end
        redis.call('XTRIM', inbox, 'MINID', keep)
        return math.max(0, bytes - dropped)
      end

      -- Drops entries older than cutoff from the front, at most budget of them per call, given the
      -- stream's first entry. Returns the bytes counter, the first entry's id and ts after the trim
      -- (nil, nil when the whole batch went and more may follow), and whether it trimmed.
      local function trim_expired(inbox, cutoff, budget, bytes, first)
        local ts = tonumber(field(first[2], 's'))
        if ts >= cutoff then return bytes, first[1], ts, false end
        local batch = redis.call('XRANGE', inbox, '-', '+', 'COUNT', budget)
        for _, e in ipairs(batch) do
          local t = tonumber(field(e[2], 's'))
          if t >= cutoff then return drop_before(inbox, batch, e[1], bytes), e[1], t, true end
        end
        return drop_before(inbox, batch, nil, bytes), nil, nil, true
      end
      """;

  /**
   * KEYS: meta, inbox, dedupe. ARGV: candidate epoch, id, from, target field ('t' to, 'r' room),
   * target, body, ts, dedupe window ms, max messages, age cutoff ts, trim budget, inbox ttl ms,
   * max body bytes (0 = off for the last six but the trim budget). Returns {dup 0|1, seq, epoch, ts}.
   * Past the count or byte limit the oldest entries are dropped; the new one always stays.
   *
   * <p>The stream ahead of the meta is found without reading the stream's top entry on the common
   * path: XADD refuses an id not above the stream's last id, and the id given is the meta's seq + 1.
   * (The stream's last id is at least its top entry's, so every stream the top-entry check of
   * {@code READ} calls ahead is; the one it would not, whose entries above the meta's seq were all
   * trimmed, made XADD fail on every append before this check.) A dedupe hit is answered only
   * after the top-entry check, as the meta it is checked against must be the inbox's.
   */
  public static final LuaScript APPEND = new LuaScript(COMMON + """
      local meta, inbox = KEYS[1], KEYS[2]
      local h = redis.call('HMGET', meta, 'epoch', 'seq', 'bytes', 'o', 'ok')
      local epoch, last, fresh = h[1], tonumber(h[2]) or 0, false
      if not epoch then
        epoch, last, fresh = reset(meta, inbox, ARGV[1]), 0, true
      end
      local window = tonumber(ARGV[8])
      if window > 0 then
        local seen = redis.call('GET', KEYS[3])
        if seen then
          local e, s, t = string.match(seen, '^(%S+) (%d+) (%d+)$')
          if e == epoch and tonumber(s) <= last then
            local top = redis.call('XREVRANGE', inbox, '+', '-', 'COUNT', 1)
            if #top == 0 or seq_of(top[1][1]) <= last then
              if #top == 0 and (tonumber(h[3]) or 0) ~= 0 then redis.call('HSET', meta, 'bytes', 0) end
              return {'1', s, epoch, t}
            end
            epoch, last, fresh = reset(meta, inbox, ARGV[1]), 0, true
          end
        end
      end
      -- The stream's length, body bytes and first entry's ts (when trusted) before this append.
      local len, bytes, o = 0, 0, nil
      if not fresh then
        len = redis.call('XLEN', inbox)
        if len > 0 then
          bytes = tonumber(h[3]) or 0
          if h[5] == epoch .. ':' .. last then o = tonumber(h[4]) end
        end
      end
      local noted = o
      local seq = last + 1
      local added = redis.pcall('XADD', inbox, seq .. '-0', 'i', ARGV[2], 'f', ARGV[3], ARGV[4], ARGV[5], 'b', ARGV[6], 's', ARGV[7])
      if type(added) == 'table' and added.err then
        if not string.find(added.err, 'smaller than the target stream top item', 1, true) then return added end
        epoch, last, bytes, len, o, noted = reset(meta, inbox, ARGV[1]), 0, 0, 0, nil, nil
        seq = 1
        redis.call('XADD', inbox, '1-0', 'i', ARGV[2], 'f', ARGV[3], ARGV[4], ARGV[5], 'b', ARGV[6], 's', ARGV[7])
      end
      bytes = bytes + string.len(ARGV[6])
      len = len + 1
      if len == 1 then o = tonumber(ARGV[7]) end
      if window > 0 then
        redis.call('SET', KEYS[3], epoch .. ' ' .. seq .. ' ' .. ARGV[7], 'PX', ARGV[8])
      end
      local max = tonumber(ARGV[9])
      if max > 0 and len > max then
        local over = len - max
        local batch = redis.call('XRANGE', inbox, '-', '+', 'COUNT', over + 1)
        local keep = batch[over + 1]
        bytes = drop_before(inbox, batch, keep[1], bytes)
        o = tonumber(field(keep[2], 's'))
      end
      local cutoff = tonumber(ARGV[10])
      if cutoff > 0 and not (o and o >= cutoff) then
        local first = redis.call('XRANGE', inbox, '-', '+', 'COUNT', 1)
        if #first > 0 then
          local _
          bytes, _, o = trim_expired(inbox, cutoff, tonumber(ARGV[11]), bytes, first[1])
        end
      end
      local maxb = tonumber(ARGV[13])
      while maxb > 0 and bytes > maxb do
        local batch = redis.call('XRANGE', inbox, '-', '+', 'COUNT', 64)
        local keep = nil
        local left = bytes
        for _, e in ipairs(batch) do
          if left <= maxb or seq_of(e[1]) >= seq then
            keep = e
            break
          end
          left = left - body_len(e)
        end
        bytes = drop_before(inbox, batch, keep and keep[1], bytes)
        o = keep and tonumber(field(keep[2], 's'))
        if keep and seq_of(keep[1]) >= seq then
          -- Only the new entry is left: the counter is its body, whatever it said before.
          bytes = string.len(ARGV[6])
          break
        end
      end
      if o and o == noted then
        redis.call('HSET', meta, 'seq', seq, 'bytes', bytes, 'ok', epoch .. ':' .. seq)
      elseif o then
        redis.call('HSET', meta, 'seq', seq, 'bytes', bytes, 'o', o, 'ok', epoch .. ':' .. seq)
      else
        redis.call('HSET', meta, 'seq', seq, 'bytes', bytes)
      end
      local ttl = tonumber(ARGV[12])
      if ttl > 0 then redis.call('PEXPIRE', inbox, ttl) end
      return {'0', tostring(seq), epoch, ARGV[7]}
      """);

  /**
   * KEYS: meta, inbox. ARGV: candidate epoch, after, limit, age cutoff ts (0 = none), trim budget.
   * Returns {epoch, lastSeq, firstAvailable, {{id, {field, value, ...}}, ...}}. A stream with an
   * entry above the meta's seq is ahead of it: a new epoch (asked as a range above the seq, which
   * is empty, and so cheap, on the common path).
   */
  public static final LuaScript READ = new LuaScript(COMMON + """
      local meta, inbox = KEYS[1], KEYS[2]
      local h = redis.call('HMGET', meta, 'epoch', 'seq', 'bytes')
      local epoch, last, bytes = h[1], tonumber(h[2]) or 0, tonumber(h[3]) or 0
      if not epoch or #redis.call('XRANGE', inbox, (last + 1) .. '-0', '+', 'COUNT', 1) > 0 then
        epoch, last, bytes = reset(meta, inbox, ARGV[1]), 0, 0
      end
      local cutoff = tonumber(ARGV[4])
      local first = last + 1
      local oldest = redis.call('XRANGE', inbox, '-', '+', 'COUNT', 1)
      if #oldest == 0 then
        if bytes ~= 0 then redis.call('HSET', meta, 'bytes', 0) end
      elseif cutoff > 0 then
        local id, ts, trimmed
        bytes, id, ts, trimmed = trim_expired(inbox, cutoff, tonumber(ARGV[5]), bytes, oldest[1])
        if not trimmed then
          first = seq_of(id)
        elseif id then
          first = seq_of(id)
          redis.call('HSET', meta, 'bytes', bytes, 'o', ts, 'ok', epoch .. ':' .. last)
        else
          redis.call('HSET', meta, 'bytes', bytes, 'ok', '')
          oldest = redis.call('XRANGE', inbox, '-', '+', 'COUNT', 1)
          if #oldest > 0 then first = seq_of(oldest[1][1]) end
        end
      else
        first = seq_of(oldest[1][1])
      end
      local page = {}
      local after = tonumber(ARGV[2])
      local limit = tonumber(ARGV[3])
      if limit > 0 and after < last then
        for _, e in ipairs(redis.call('XRANGE', inbox, '(' .. ARGV[2] .. '-0', '+', 'COUNT', limit)) do
          if cutoff <= 0 or tonumber(field(e[2], 's')) >= cutoff then page[#page + 1] = e end
        end
      end
      return {epoch, tostring(last), tostring(first), page}
      """);
}
