// Courier JavaScript client (protocol v1, docs/protocol.md). Dependency-free ES module for browsers
// and Node (global WebSocket of Node 22+, or one passed in `options.WebSocket`).

const RETRYABLE = new Set(['unavailable', 'overloaded', 'internal', 'rate_limited', 'token_expired']);

const DEFAULTS = {
  reconnectBaseMs: 500,
  reconnectCapMs: 30000,
  stableConnectionMs: 10000,
  connectTimeoutMs: 10000,
  pingIntervalMs: 15000,
  pongTimeoutMs: 10000,
  ackDelayMs: 10,
  sendTimeoutMs: 15000,
  sendRetryBaseMs: 200,
  sendRetryCapMs: 10000,
  maxInFlight: 256,
  outboxMaxMessages: 10000,
  maxFrameBytes: 65536,
  maxBufferedAhead: 10000,
  maxRecentKeys: 10000,
  gapRepairMs: 2000,
  requestTimeoutMs: 10000,
  storageKey: 'courier',
};

/** Error raised for a server `error` frame answering one of our frames. */
export class CourierError extends Error {
  constructor(code, message) {
    super(`${code}: ${message}`);
    this.name = 'CourierError';
    this.code = code;
  }
}

function fullJitter(attempt, base, cap) {
  return Math.floor(Math.random() * Math.min(cap, base * 2 ** Math.min(attempt, 30)));
}

function defaultStorage() {
  try {
    const s = globalThis.localStorage;
    if (!s) return null;
    const k = '__courier_probe__';
    s.setItem(k, '1');
    s.removeItem(k);
    return s;
  } catch {
    return null; // private mode, disabled storage, Node
  }
}

/** The key of an inbox message: who sent it and the id they gave it. */
const keyOf = (m) => `${m.from}\u0000${m.id}`;

function utf8Length(s) {
  return typeof TextEncoder !== 'undefined' ? new TextEncoder().encode(s).length : s.length * 3;
}

export class CourierClient {
  /**
   * @param {object} options see courier.d.ts (`url`, `getToken` required)
   */
  constructor(options) {
    if (!options || typeof options.url !== 'string') throw new TypeError('options.url is required');
    if (typeof options.getToken !== 'function') throw new TypeError('options.getToken is required');
    this.opts = { ...DEFAULTS, ...options };
    this.WS = options.WebSocket || globalThis.WebSocket;
    if (typeof this.WS !== 'function') {
      throw new TypeError('no WebSocket: pass options.WebSocket (Node < 22 has no global WebSocket)');
    }
    this.storage = options.storage === undefined ? defaultStorage() : options.storage;
    this.listeners = new Map();
    this.stateInfo = { state: 'idle' };
    this.ws = null;
    this.session = null;
    this.attempt = 0;
    this.closed = false;
    this.timers = new Set();
    this.reconnectTimer = null;
    this.reconnectAt = 0;
    this.idPrefix = Math.random().toString(36).slice(2, 10);
    this.idCounter = 0;
    this.reqCounter = 0;
    this.requests = new Map(); // ref -> {resolve, reject, timer}
    this.waiters = new Map(); // send id -> [{resolve, reject}]
    this.epoch = null;
    this.lastSeq = 0;
    this.lastId = null; // id and ts of the message at lastSeq: the proof sent with sync
    this.lastTs = 0;
    this.ahead = new Map(); // seq -> msg held behind a gap
    this.recentKeys = new Set(); // keys of the last maxRecentKeys delivered messages, oldest first
    this.syncRef = null;
    this.syncCounter = 0;
    this.syncAfter = 0;
    this.syncing = false; // a sync is answered: seq-duplicates with unknown keys are held
    this.resetting = false; // a rollback found at welcome is repaired: delivery by key
    this.held = [];
    this.heldOverflow = false;
    this.done = new Map(); // seq -> {id, ts} of the current sync or reset, for the seqs past upTo
    this.doneAhead = new Map(); // seqs past lastSeq delivered already (during a reset)
    this.ackTimer = null;
    this.ackedSeq = 0;
    this.gapTimer = null;
    this.retryPauseUntil = 0;
    this.outbox = []; // {id, to?, room?, body, written: bool, writtenAt}
    this.restore();
    this.onOnline = () => this.networkBack();
    this.onOffline = () => this.networkLost();
    if (typeof globalThis.addEventListener === 'function' && 'onLine' in (globalThis.navigator || {})) {
      globalThis.addEventListener('online', this.onOnline);
      globalThis.addEventListener('offline', this.onOffline);
    }
  }

  // ---- events ---------------------------------------------------------------------------------

  /** Subscribes to 'message' | 'state' | 'sent' | 'queue' | 'loss' | 'frame' | 'error'. Returns an unsubscribe function. */
  on(event, fn) {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event).add(fn);
    return () => this.listeners.get(event).delete(fn);
  }

  emit(event, value) {
    for (const fn of this.listeners.get(event) || []) {
      try {
        fn(value);
      } catch (e) {
        if (event !== 'error') this.emit('error', e);
      }
    }
  }

  setState(state, extra = {}) {
    this.stateInfo = { state, queued: this.outbox.length, ...extra };
    this.emit('state', this.stateInfo);
  }

  get state() {
    return this.stateInfo;
  }

  /** Sends waiting for `sent` (persisted when storage is available), oldest first. */
  pending() {
    return this.outbox.map(({ id, to, room, body }) => ({ id, to, room, body }));
  }

  // ---- persistence ----------------------------------------------------------------------------

  restore() {
    if (!this.storage) return;
    try {
      const raw = this.storage.getItem(this.opts.storageKey);
      if (!raw) return;
      const saved = JSON.parse(raw);
      if (typeof saved.epoch === 'string') this.epoch = saved.epoch;
      if (Number.isInteger(saved.lastSeq)) this.lastSeq = saved.lastSeq;
      if (typeof saved.lastId === 'string') this.lastId = saved.lastId;
      if (Number.isInteger(saved.lastTs)) this.lastTs = saved.lastTs;
      this.ackedSeq = 0;
      if (Array.isArray(saved.outbox)) {
        this.outbox = saved.outbox.map((e) => ({ ...e, written: false, writtenAt: 0 }));
      }
    } catch (e) {
      this.emit('error', e);
    }
  }

  persist() {
    if (!this.storage) return;
    const outbox = this.outbox.map(({ id, to, room, body }) => ({ id, to, room, body }));
    try {
      const { epoch, lastSeq, lastId, lastTs } = this;
      this.storage.setItem(this.opts.storageKey, JSON.stringify({ epoch, lastSeq, lastId, lastTs, outbox }));
    } catch (e) {
      this.emit('error', e); // quota: the outbox still lives in memory
    }
  }

  // ---- connection -----------------------------------------------------------------------------

  /** Starts connecting; resolves at the first welcome. */
  connect() {
    if (this.closed) return Promise.reject(new Error('client closed'));
    const p = new Promise((resolve) => {
      const off = this.on('state', (s) => {
        if (s.state === 'connected') {
          off();
          resolve(this.session);
        }
      });
    });
    if (!this.ws && !this.reconnectTimer) this.open();
    return p;
  }

  isOffline() {
    const nav = globalThis.navigator;
    return !!nav && 'onLine' in nav && nav.onLine === false && typeof globalThis.addEventListener === 'function';
  }

  async open() {
    this.reconnectTimer = null;
    if (this.closed) return;
    if (this.isOffline()) {
      this.setState('offline');
      return;
    }
    this.setState('connecting', { attempt: this.attempt });
    let token;
    try {
      token = await this.opts.getToken();
    } catch (e) {
      this.emit('error', e);
      this.scheduleReconnect(null, 'token');
      return;
    }
    if (this.closed || this.ws) return;
    this.token = token;
    const sep = this.opts.url.includes('?') ? '&' : '?';
    let ws;
    try {
      ws = new this.WS(`${this.opts.url}${sep}token=${encodeURIComponent(token)}`);
    } catch (e) {
      this.emit('error', e);
      this.scheduleReconnect(null, 'connect');
      return;
    }
    this.ws = ws;
    const conn = { ws, openedAt: 0, welcomed: false, lastFrameAt: Date.now(), pingTimer: null, connectTimer: null };
    this.conn = conn;
    conn.connectTimer = this.timer(() => this.drop(conn, 'connect timeout'), this.opts.connectTimeoutMs);
    ws.onopen = () => {
      conn.openedAt = Date.now();
    };
    ws.onmessage = (ev) => {
      if (this.conn !== conn) return;
      conn.lastFrameAt = Date.now();
      let frame;
      try {
        frame = JSON.parse(typeof ev.data === 'string' ? ev.data : String(ev.data));
      } catch {
        return;
      }
      this.onFrame(conn, frame);
    };
    ws.onclose = (ev) => this.onClose(conn, ev.code, ev.reason);
    ws.onerror = () => {};
  }

  timer(fn, ms) {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
    return t;
  }

  clear(t) {
    if (t) {
      clearTimeout(t);
      this.timers.delete(t);
    }
  }

  write(frame) {
    if (!this.ws || !this.conn || !this.conn.welcomed || this.ws.readyState !== 1) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  /** Drops the current connection (if still current) and reconnects. */
  drop(conn, cause, afterMs = null) {
    if (this.conn !== conn) return;
    this.detach(conn);
    try {
      conn.ws.close(1000, cause);
    } catch {
      /* already closing */
    }
    this.scheduleReconnect(afterMs, cause);
  }

  detach(conn) {
    this.clear(conn.connectTimer);
    this.clear(conn.pingTimer);
    conn.ws.onmessage = null;
    conn.ws.onclose = null;
    if (this.conn === conn) {
      this.conn = null;
      this.ws = null;
    }
    for (const e of this.outbox) e.written = false;
    this.clear(this.gapTimer);
    this.gapTimer = null;
    this.syncRef = null;
    for (const [ref, r] of this.requests) {
      this.clear(r.timer);
      r.reject(new Error('connection lost'));
      this.requests.delete(ref);
    }
    if (conn.openedAt && Date.now() - conn.openedAt >= this.opts.stableConnectionMs) this.attempt = 0;
  }

  onClose(conn, code, reason) {
    if (this.conn !== conn) return;
    const serverAfter = conn.reconnectAt ? Math.max(0, conn.reconnectAt - Date.now()) : null;
    this.detach(conn);
    if (code === 4003) {
      this.shutdown(`closed by server (4003 ${reason || 'revoked'})`);
      return;
    }
    this.scheduleReconnect(serverAfter, `closed ${code}`);
  }

  scheduleReconnect(afterMs, cause) {
    if (this.closed) return;
    if (this.isOffline()) {
      this.setState('offline', { cause });
      return;
    }
    const delay = afterMs ?? fullJitter(this.attempt, this.opts.reconnectBaseMs, this.opts.reconnectCapMs);
    this.attempt++;
    this.reconnectAt = Date.now() + delay;
    this.clear(this.reconnectTimer);
    this.reconnectTimer = this.timer(() => this.open(), delay);
    this.setState('reconnecting', { delayMs: delay, retryAt: this.reconnectAt, cause });
  }

  networkLost() {
    if (this.closed) return;
    if (this.conn) {
      const conn = this.conn;
      this.detach(conn);
      try {
        conn.ws.close(1000, 'offline');
      } catch {
        /* ignore */
      }
    }
    this.clear(this.reconnectTimer);
    this.reconnectTimer = null;
    this.setState('offline');
  }

  networkBack() {
    if (this.closed || this.conn) return;
    this.clear(this.reconnectTimer);
    this.attempt = 0;
    this.open();
  }

  /** Stops for good: no reconnects; waiting sends and requests fail. The persisted outbox is kept. */
  close() {
    this.shutdown('closed by the application');
  }

  shutdown(cause) {
    if (this.closed) return;
    this.closed = true;
    if (this.conn) {
      const conn = this.conn;
      this.detach(conn);
      try {
        conn.ws.close(1000, 'bye');
      } catch {
        /* ignore */
      }
    }
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const ws of this.waiters.values()) for (const w of ws) w.reject(new Error(cause));
    this.waiters.clear();
    if (typeof globalThis.removeEventListener === 'function') {
      globalThis.removeEventListener('online', this.onOnline);
      globalThis.removeEventListener('offline', this.onOffline);
    }
    this.setState('closed', { cause });
  }

  // ---- frames in ------------------------------------------------------------------------------

  onFrame(conn, f) {
    this.emit('frame', f);
    switch (f.type) {
      case 'welcome':
        return this.onWelcome(conn, f);
      case 'msg':
        return this.onMsg(conn, f);
      case 'sent':
        return this.onSent(f);
      case 'synced':
        return this.onSynced(conn, f);
      case 'error':
        return this.onError(f);
      case 'reconnect':
        conn.reconnectAt = Date.now() + (f.afterMs || 0);
        return this.drop(conn, `server asked: ${f.reason}`, f.afterMs || 0);
      case 'token_expiring':
        return this.refreshToken();
      case 'pong':
      case 'refreshed':
      case 'joined':
      case 'left':
      case 'presence':
        if (f.type === 'presence' && !f.ref) this.emit('presence', f.users);
        return this.resolveRequest(f);
      case 'presence_changed':
        return this.emit('presence_changed', f);
      default:
        return undefined;
    }
  }

  onWelcome(conn, f) {
    this.clear(conn.connectTimer);
    conn.welcomed = true;
    this.session = f;
    if (this.epoch !== null && this.epoch !== f.epoch) {
      this.emit('loss', { kind: 'epoch_reset', oldEpoch: this.epoch, fromSeq: this.lastSeq + 1, newEpoch: f.epoch });
      this.lastSeq = 0;
      this.lastId = null;
      this.lastTs = 0;
      this.ackedSeq = 0;
      this.ahead.clear();
      this.doneAhead.clear();
      this.resetting = false;
    } else if (this.epoch !== null && f.lastSeq < this.lastSeq && !this.resetting) {
      // Our epoch, but the store holds less than we have: it went back to an older state.
      this.rolledBack(this.lastSeq);
      this.startReset();
    }
    this.epoch = f.epoch;
    this.persist();
    this.setState('connected', { sessionId: f.sessionId, nodeId: f.nodeId });
    this.sendSync();
    this.pump();
    const ping = () => {
      if (this.conn !== conn) return;
      this.rawSend({ type: 'ping' });
      const sentAt = Date.now();
      conn.pingTimer = this.timer(() => {
        if (conn.lastFrameAt < sentAt) this.drop(conn, 'ping timeout');
        else ping();
      }, this.opts.pongTimeoutMs);
    };
    conn.pingTimer = this.timer(ping, this.opts.pingIntervalMs);
  }

  rawSend(frame) {
    return this.write(frame);
  }

  /**
   * `sync {after, epoch, lastId?, lastTs?, ref}`: the id and ts of the message at `after` prove our
   * position, so the server can tell an inbox that rolled back. While a rollback found at welcome
   * is repaired, everything the store holds (`after: 0`).
   */
  sendSync() {
    this.syncRef = `sync-${++this.syncCounter}`;
    this.syncing = true;
    this.held = [];
    this.heldOverflow = false;
    if (!this.resetting) this.done.clear();
    const f = { type: 'sync', after: this.resetting ? 0 : this.lastSeq, epoch: this.epoch };
    if (f.after > 0 && this.lastId !== null) {
      f.lastId = this.lastId;
      if (this.lastTs > 0) f.lastTs = this.lastTs;
    }
    f.ref = this.syncRef;
    this.syncAfter = f.after;
    this.rawSend(f);
  }

  /** The inbox went back to an older state in our epoch: reported once per rollback. */
  rolledBack(clientLastSeq) {
    this.emit('loss', { kind: 'rollback', epoch: this.epoch, fromSeq: clientLastSeq + 1 });
  }

  /** A rollback found before the sync that repairs it: deliver by key until that sync's `synced`. */
  startReset() {
    this.resetting = true;
    this.done.clear();
    this.held = [];
    this.ahead.clear();
    this.doneAhead.clear();
  }

  /** Adds the key of a message being delivered; false if a message with that key was delivered. */
  remember(m) {
    const k = keyOf(m);
    if (this.recentKeys.has(k)) return false;
    this.recentKeys.add(k);
    if (this.recentKeys.size > this.opts.maxRecentKeys) this.recentKeys.delete(this.recentKeys.values().next().value);
    return true;
  }

  markDone(m) {
    this.done.set(m.seq, { id: m.id, ts: m.ts });
    if (this.done.size > this.opts.maxBufferedAhead + 1) {
      this.done.delete(this.done.keys().next().value); // the oldest: replays come in seq order
    }
  }

  onMsg(conn, m) {
    if (m.epoch !== this.epoch) {
      // The inbox was reset while connected: the next welcome names the new epoch.
      this.drop(conn, 'epoch changed');
      return;
    }
    if (this.resetting) {
      this.markDone(m);
      if (this.remember(m)) this.emit('message', m);
      return;
    }
    if (m.seq <= this.lastSeq || this.doneAhead.has(m.seq)) {
      const ours = m.seq === this.lastSeq && m.id === this.lastId;
      if (this.syncing && !ours && !this.recentKeys.has(keyOf(m))) {
        // A seq we have, another message: held until the sync's answer says whether the inbox rolled back.
        if (this.held.length < this.opts.maxBufferedAhead) this.held.push(m);
        else this.heldOverflow = true;
        return;
      }
      if (this.syncing) this.markDone(m);
      this.scheduleAck(true);
      return;
    }
    if (m.seq > this.lastSeq + 1) {
      if (m.seq - this.lastSeq <= this.opts.maxBufferedAhead) this.ahead.set(m.seq, m);
      this.scheduleGapRepair();
      return;
    }
    this.deliver(m);
    this.drainAhead();
  }

  scheduleGapRepair() {
    if (this.gapTimer) return;
    this.gapTimer = this.timer(() => {
      this.gapTimer = null;
      if (this.ahead.size || this.doneAhead.size) this.sendSync();
    }, this.opts.gapRepairMs);
  }

  deliver(m) {
    this.lastSeq = m.seq;
    this.lastId = m.id;
    this.lastTs = m.ts;
    this.remember(m);
    if (this.syncing) this.markDone(m);
    this.emit('message', m);
    this.persist();
    this.scheduleAck(false);
  }

  drainAhead() {
    for (const seq of [...this.ahead.keys()]) {
      if (seq <= this.lastSeq) this.ahead.delete(seq);
    }
    for (const seq of [...this.doneAhead.keys()]) {
      if (seq <= this.lastSeq) this.doneAhead.delete(seq);
    }
    for (;;) {
      const next = this.lastSeq + 1;
      if (this.doneAhead.has(next)) {
        // delivered during a reset already: only the position moves
        const p = this.doneAhead.get(next);
        this.doneAhead.delete(next);
        this.lastSeq = next;
        this.lastId = p.id;
        this.lastTs = p.ts;
        this.persist();
      } else if (this.ahead.has(next)) {
        const m = this.ahead.get(next);
        this.ahead.delete(next);
        this.deliver(m);
      } else {
        break;
      }
    }
    if (!this.ahead.size && !this.doneAhead.size) {
      this.clear(this.gapTimer);
      this.gapTimer = null;
    }
  }

  scheduleAck(force) {
    if (this.ackTimer) return;
    if (!force && this.lastSeq <= this.ackedSeq) return;
    this.ackTimer = this.timer(() => {
      this.ackTimer = null;
      if (this.resetting) return; // our seq is not the store's until the reset's synced
      if (this.lastSeq > 0 && this.rawSend({ type: 'ack', seq: this.lastSeq })) this.ackedSeq = this.lastSeq;
    }, this.opts.ackDelayMs);
  }

  /**
   * The end of a reset (`synced {reset: true}`, or the answer to the sync of a rollback found at
   * welcome): whatever is held or buffered is delivered by key, and seq tracking restarts at `upTo`;
   * seqs above it delivered meanwhile count as delivered.
   */
  endReset(upTo) {
    const overflow = this.heldOverflow;
    const pending = [...this.held, ...this.ahead.values()].sort((a, b) => a.seq - b.seq);
    this.held = [];
    this.heldOverflow = false;
    this.ahead.clear();
    this.doneAhead.clear();
    this.resetting = false;
    this.syncing = false;
    const out = [];
    for (const m of pending) {
      this.markDone(m);
      if (this.remember(m)) out.push(m);
    }
    this.lastSeq = Math.max(0, upTo);
    const at = this.done.get(this.lastSeq);
    this.lastId = at ? at.id : null;
    this.lastTs = at ? at.ts : 0;
    for (const [seq, p] of this.done) if (seq > this.lastSeq) this.doneAhead.set(seq, p);
    this.done.clear();
    this.ackedSeq = 0;
    this.persist();
    for (const m of out) this.emit('message', m);
    this.drainAhead();
    this.scheduleAck(true);
    if (overflow) {
      // more held messages than the buffer keeps: everything again, by key
      this.startReset();
      this.sendSync();
    } else if (this.doneAhead.size) {
      this.scheduleGapRepair();
    }
  }

  onSynced(conn, f) {
    if (f.ref && f.ref !== this.syncRef) return; // the answer to an older sync
    if (f.epoch !== this.epoch) {
      this.drop(conn, 'epoch changed');
      return;
    }
    this.syncRef = null;
    if (f.reset === true || this.resetting) {
      if (f.reset === true && !this.resetting) this.rolledBack(this.syncAfter);
      this.endReset(f.upTo);
      return;
    }
    this.syncing = false;
    this.held = [];
    this.done.clear();
    if (f.truncated && f.firstAvailable - 1 > this.lastSeq) {
      this.emit('loss', { kind: 'truncated', epoch: this.epoch, fromSeq: this.lastSeq + 1, toSeq: f.firstAvailable - 1 });
      this.lastSeq = f.firstAvailable - 1;
      this.lastId = null; // retention dropped the message at lastSeq: nothing to prove with
      this.lastTs = 0;
      this.persist();
      this.drainAhead();
    }
    this.scheduleAck(true);
  }

  // ---- sending --------------------------------------------------------------------------------

  /** Sends `body` to user `to`. Resolves with {id, ts, dup} when the server has stored it. */
  send(to, body, options = {}) {
    return this.enqueue({ to, body }, options.id);
  }

  /** Sends `body` to a room (needs a `join` first, where the server offers rooms). */
  sendToRoom(room, body, options = {}) {
    return this.enqueue({ room, body }, options.id);
  }

  enqueue(target, id) {
    if (this.closed) return Promise.reject(new Error('client closed'));
    const msgId = id ?? `${this.idPrefix}-${Date.now().toString(36)}-${++this.idCounter}`;
    if (typeof msgId !== 'string' || msgId.length < 1 || msgId.length > 64) {
      return Promise.reject(new TypeError('id must be 1-64 characters'));
    }
    if (!!target.to === !!target.room) return Promise.reject(new TypeError('exactly one of to / room'));
    if (target.body === undefined) return Promise.reject(new TypeError('body is required (null is allowed)'));
    const entry = { id: msgId, ...target, written: false, writtenAt: 0 };
    if (utf8Length(JSON.stringify(this.frameOf(entry))) > this.opts.maxFrameBytes) {
      return Promise.reject(new CourierError('too_large', `frame exceeds ${this.opts.maxFrameBytes} bytes`));
    }
    if (this.outbox.length >= this.opts.outboxMaxMessages) {
      return Promise.reject(new CourierError('outbox_full', `${this.outbox.length} sends waiting`));
    }
    const p = this.waitFor(msgId);
    if (!this.outbox.some((e) => e.id === msgId)) {
      this.outbox.push(entry);
      this.persist();
      this.emit('queue', this.outbox.length);
    }
    this.pump();
    return p;
  }

  /** A promise for the `sent` of an id queued earlier (for example before a page reload). */
  waitFor(id) {
    return new Promise((resolve, reject) => {
      if (!this.waiters.has(id)) this.waiters.set(id, []);
      this.waiters.get(id).push({ resolve, reject });
    });
  }

  frameOf(e) {
    const f = { type: 'send', id: e.id, body: e.body };
    if (e.room) f.room = e.room;
    else f.to = e.to;
    return f;
  }

  pump() {
    if (!this.conn || !this.conn.welcomed) return;
    const now = Date.now();
    if (now < this.retryPauseUntil) {
      this.clear(this.pumpTimer);
      this.pumpTimer = this.timer(() => this.pump(), this.retryPauseUntil - now);
      return;
    }
    let inFlight = this.outbox.filter((e) => e.written).length;
    for (const e of this.outbox) {
      if (inFlight >= this.opts.maxInFlight) break;
      const stale = e.written && now - e.writtenAt >= this.opts.sendTimeoutMs;
      if (e.written && !stale) continue;
      if (!this.write(this.frameOf(e))) return;
      if (!e.written) inFlight++;
      e.written = true;
      e.writtenAt = now;
    }
    this.clear(this.sendTimer);
    if (this.outbox.some((e) => e.written)) this.sendTimer = this.timer(() => this.pump(), this.opts.sendTimeoutMs);
  }

  onSent(f) {
    const idx = this.outbox.findIndex((e) => e.id === f.id);
    if (idx >= 0) {
      this.outbox.splice(idx, 1);
      this.persist();
      this.emit('queue', this.outbox.length);
    }
    this.sendRetries = 0;
    const receipt = { id: f.id, ts: f.ts, dup: !!f.dup };
    this.emit('sent', receipt);
    for (const w of this.waiters.get(f.id) || []) w.resolve(receipt);
    this.waiters.delete(f.id);
    this.pump();
  }

  onError(f) {
    const ref = f.ref;
    if (ref && ref === this.syncRef) {
      // sync refused (store unavailable): try again
      this.syncRef = null;
      const conn = this.conn;
      this.timer(() => {
        if (this.conn === conn && conn && !this.syncRef) this.sendSync();
      }, this.opts.gapRepairMs);
      return;
    }
    if (ref && this.requests.has(ref)) {
      const r = this.requests.get(ref);
      this.requests.delete(ref);
      this.clear(r.timer);
      r.reject(new CourierError(f.code, f.message));
      return;
    }
    const idx = ref ? this.outbox.findIndex((e) => e.id === ref) : -1;
    if (idx < 0) {
      this.emit('error', new CourierError(f.code, f.message));
      return;
    }
    const entry = this.outbox[idx];
    if (RETRYABLE.has(f.code)) {
      entry.written = false;
      this.sendRetries = (this.sendRetries || 0) + 1;
      this.retryPauseUntil = Date.now() + fullJitter(this.sendRetries, this.opts.sendRetryBaseMs, this.opts.sendRetryCapMs);
      this.pump();
      return;
    }
    this.outbox.splice(idx, 1);
    this.persist();
    this.emit('queue', this.outbox.length);
    const err = new CourierError(f.code, f.message);
    this.emit('send_failed', { id: entry.id, error: err });
    for (const w of this.waiters.get(entry.id) || []) w.reject(err);
    this.waiters.delete(entry.id);
  }

  // ---- requests -------------------------------------------------------------------------------

  request(frame) {
    const ref = `q${++this.reqCounter}`;
    return new Promise((resolve, reject) => {
      if (!this.write({ ...frame, ref })) {
        reject(new CourierError('unavailable', 'not connected'));
        return;
      }
      const timer = this.timer(() => {
        this.requests.delete(ref);
        reject(new CourierError('unavailable', 'no answer in time'));
      }, this.opts.requestTimeoutMs);
      this.requests.set(ref, { resolve, reject, timer });
    });
  }

  resolveRequest(f) {
    const r = f.ref && this.requests.get(f.ref);
    if (!r) return;
    this.requests.delete(f.ref);
    this.clear(r.timer);
    r.resolve(f);
  }

  /** Who is online now: resolves with {userId: {online, devices, since?}}. */
  async presence(users) {
    return (await this.request({ type: 'presence', users })).users;
  }

  /** Subscribes to presence_changed for these users; resolves with their current state. */
  async watch(users) {
    return (await this.request({ type: 'watch', users })).users;
  }

  unwatch(users) {
    this.write({ type: 'unwatch', users });
  }

  async join(room) {
    await this.request({ type: 'join', room });
  }

  async leave(room) {
    await this.request({ type: 'leave', room });
  }

  async refreshToken() {
    try {
      const token = await this.opts.getToken();
      await this.request({ type: 'refresh', token });
      this.token = token;
    } catch (e) {
      // The server closes with 4001 at exp; the reconnect asks getToken() again.
      this.emit('error', e);
    }
  }
}
