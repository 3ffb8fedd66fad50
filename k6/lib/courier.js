// Courier's wire protocol (docs/protocol.md) for k6 scripts: tokens, one client per connection
// with the at-least-once rules (unique ids, resend until `sent`, dedupe by seq, cumulative ack,
// sync after a reconnect), a pair of users per VU that message each other, and the metrics.
//
// Every script imports this module; nothing protocol-specific lives in the scripts themselves.
// For k6 older than v1.0, change the WebSocket import to 'k6/experimental/websockets'.
import { WebSocket } from 'k6/websockets';
import { check } from 'k6';
import { Counter, Rate, Trend } from 'k6/metrics';
import { hmac } from 'k6/crypto';
import { b64encode } from 'k6/encoding';
import { SharedArray } from 'k6/data';
import exec from 'k6/execution';

// ---------------------------------------------------------------- settings (environment)

export function envInt(name, dflt) {
  const raw = __ENV[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a number >= 0, got '${raw}'`);
  return n;
}

export const COURIER_URL = __ENV.COURIER_URL || 'ws://127.0.0.1:8080/ws';
const USER_PREFIX = __ENV.USER_PREFIX || 'k6-';
const TOKEN_TTL_S = envInt('TOKEN_TTL_S', 86400);
const SETTLE_MS = envInt('SETTLE_MS', 10000);
const CONNECT_TIMEOUT_MS = envInt('CONNECT_TIMEOUT_MS', 10000);
const SECRET = __ENV.COURIER_JWT_SECRET || '';

if (!['query', 'header', 'mixed', undefined, ''].includes(__ENV.AUTH)) {
  throw new Error(`AUTH must be query, header or mixed, got '${__ENV.AUTH}'`);
}
if (!__ENV.TOKENS_FILE && !SECRET) {
  throw new Error('set TOKENS_FILE (one token per line, minted with bin/courier token) or COURIER_JWT_SECRET');
}

// open() works only in the init context, so the file is read here, once, shared by all VUs.
const TOKENS = __ENV.TOKENS_FILE
  ? new SharedArray('courier-tokens', () => open(__ENV.TOKENS_FILE).split('\n').map((s) => s.trim()).filter((s) => s.length > 0))
  : null;

// ---------------------------------------------------------------- metrics

export const metrics = {
  connectSuccess: new Rate('connect_success'), // handshake answered with welcome
  welcomeTime: new Trend('welcome_time', true), // socket opened -> welcome
  deliveryLatency: new Trend('delivery_latency', true), // send (body.sentAt) -> msg received
  sendAckLatency: new Trend('send_ack_latency', true), // send -> sent
  sent: new Counter('messages_sent'), // distinct ids confirmed by `sent`
  received: new Counter('messages_received'), // distinct ids delivered (after dedupe)
  lost: new Counter('messages_lost'), // confirmed but never delivered, even after a sync
  unconfirmed: new Counter('messages_unconfirmed'), // never confirmed by `sent`
  duplicated: new Counter('messages_duplicated'), // one id delivered under two seqs
  redelivered: new Counter('messages_redelivered'), // a seq seen again (retransmit, replay): dropped
  sendErrors: new Counter('send_errors'), // `error` frames answering a send
  syncs: new Counter('syncs'), // syncs sent because welcome.lastSeq was ahead, or to settle
  reconnects: new Counter('reconnects'), // reconnects after a close the script did not ask for
};

// ---------------------------------------------------------------- tokens

function b64url(text) {
  return b64encode(text, 'rawurl');
}

/** An HS256 JWT for `sub`, signed like bin/courier token does. */
export function signToken(secret, sub, ttlSeconds) {
  const now = Math.floor(Date.now() / 1000);
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = b64url(JSON.stringify({ sub, iat: now, exp: now + ttlSeconds, jti: `${sub}-${now}-${Math.random().toString(36).slice(2)}` }));
  return `${head}.${body}.${hmac('sha256', secret, `${head}.${body}`, 'base64rawurl')}`;
}

/** The token of user number `index` (0-based): line index+1 of TOKENS_FILE, or signed with the secret. */
export function tokenFor(index) {
  if (TOKENS) {
    if (index >= TOKENS.length) {
      throw new Error(`TOKENS_FILE has ${TOKENS.length} tokens but VU ${exec.vu.idInTest} needs line ${index + 1} (2 tokens per VU)`);
    }
    return TOKENS[index];
  }
  return signToken(SECRET, `${USER_PREFIX}${index}`, TOKEN_TTL_S);
}

// ---------------------------------------------------------------- one client = one user's connection

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const runNonce = Math.random().toString(36).slice(2, 10);

export class CourierClient {
  constructor(label, token, auth) {
    this.label = label;
    this.token = token;
    this.auth = auth; // 'query' or 'header'
    this.ws = null;
    this.open = false; // welcome received on the current socket
    this.active = false; // the script wants a connection: reconnect if the server closes it
    this.userId = null;
    this.epoch = null;
    this.contig = 0; // every seq <= contig has been seen (within this.epoch)
    this.above = new Set(); // seen seqs > contig
    this.acked = 0;
    this.counter = 0;
    this.pending = new Map(); // id -> {frame, at}: sends not yet confirmed by `sent`
    this.expected = new Map(); // id -> true: messages the peer sent to this user, not yet delivered
    this.delivered = new Map(); // id -> seq, for duplicate detection
    this.waiters = []; // {test, resolve} resolved when a frame matches
    this.onClose = null;
  }

  /** Opens a socket, waits for welcome, syncs when the inbox is ahead, resends unconfirmed sends. */
  async connect() {
    const welcome = await this._handshake();
    if (this.epoch !== null && welcome.epoch !== this.epoch) {
      // The inbox was reset: seqs restart, so forget the old ones and replay the new epoch.
      this.contig = 0;
      this.above.clear();
      this.acked = 0;
    }
    const first = this.epoch === null;
    this.epoch = welcome.epoch;
    if (first) {
      this.contig = welcome.lastSeq; // older messages are not ours to count
      this.acked = welcome.lastSeq;
    } else if (welcome.lastSeq > this.contig) {
      await this.sync();
    }
    for (const p of this.pending.values()) this._write(p.frame); // same id: at-least-once resend
    return welcome;
  }

  _handshake() {
    return new Promise((resolve, reject) => {
      let url = COURIER_URL;
      const params = { tags: { name: 'courier-ws' } }; // keeps tokens out of the url tag
      if (this.auth === 'header') {
        params.headers = { Authorization: `Bearer ${this.token}` };
      } else {
        url += `${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(this.token)}`;
      }
      const ws = new WebSocket(url, null, params);
      this.ws = ws;
      let openedAt = Date.now();
      let settled = false;
      const fail = (why) => {
        if (settled) return;
        settled = true;
        metrics.connectSuccess.add(false);
        reject(new Error(`${this.label}: no welcome (${why})`));
      };
      const timer = setTimeout(() => { fail('timeout'); ws.close(); }, CONNECT_TIMEOUT_MS);
      ws.addEventListener('open', () => { openedAt = Date.now(); });
      ws.addEventListener('error', (e) => fail(e && e.error ? e.error : 'error'));
      ws.addEventListener('close', () => {
        clearTimeout(timer);
        fail('closed');
        this._closed(ws);
      });
      ws.addEventListener('message', (e) => {
        const f = JSON.parse(e.data);
        if (f.type === 'welcome' && !settled) {
          settled = true;
          clearTimeout(timer);
          this.open = true;
          this.active = true;
          metrics.connectSuccess.add(true);
          metrics.welcomeTime.add(Date.now() - openedAt);
          check(f, {
            'welcome names the user and inbox': (w) => typeof w.userId === 'string' && typeof w.epoch === 'string' && Number.isInteger(w.lastSeq),
          });
          if (this.userId !== null && this.userId !== f.userId) reject(new Error(`${this.label}: welcome for ${f.userId}, expected ${this.userId}`));
          this.userId = f.userId;
          resolve(f);
          return;
        }
        this._frame(f);
      });
    });
  }

  _closed(ws) {
    if (ws !== this.ws) return;
    const wasOpen = this.open;
    this.open = false;
    if (this.onClose) this.onClose();
    if (this.active && wasOpen) this._reconnect(); // drained node, network: come back and sync
  }

  async _reconnect() {
    metrics.reconnects.add(1);
    for (let backoff = 100; this.active; backoff = Math.min(backoff * 2, 5000)) {
      await delay(backoff * (0.5 + Math.random()));
      if (!this.active) return;
      try {
        await this.connect();
        return;
      } catch (e) {
        console.warn(`${this.label}: reconnect failed: ${e.message}`);
      }
    }
  }

  _write(frame) {
    if (this.open && this.ws.readyState === 1) this.ws.send(JSON.stringify(frame)); // else resent on reconnect
  }

  _frame(f) {
    switch (f.type) {
      case 'msg': this._msg(f); break;
      case 'sent': {
        const p = this.pending.get(f.id);
        if (p) {
          this.pending.delete(f.id);
          metrics.sent.add(1);
          metrics.sendAckLatency.add(Date.now() - p.at);
        }
        check(f, { 'sent answers a send by id': (s) => typeof s.id === 'string' && s.ref === s.id && Number.isInteger(s.ts) });
        break;
      }
      case 'error': {
        const p = f.ref !== undefined ? this.pending.get(f.ref) : undefined;
        if (p) metrics.sendErrors.add(1);
        if (p && (f.code === 'rate_limited' || f.code === 'unavailable')) {
          setTimeout(() => { if (this.pending.has(f.ref)) this._write(p.frame); }, 200); // same id again
        } else {
          check(f, { 'no error frames': () => false });
          console.warn(`${this.label}: error ${f.code}: ${f.message}`);
        }
        break;
      }
      case 'reconnect':
        // The node drains: close after afterMs; _closed() reconnects (through the load balancer).
        setTimeout(() => { if (this.ws) this.ws.close(); }, f.afterMs);
        break;
      default:
        break;
    }
    this.waiters = this.waiters.filter((w) => !(w.test(f) && (w.resolve(f), true)));
  }

  _msg(m) {
    const seen = m.seq <= this.contig || this.above.has(m.seq);
    if (m.epoch === this.epoch && !seen) {
      this.above.add(m.seq);
      while (this.above.delete(this.contig + 1)) this.contig++;
      if (this.expected.delete(m.id)) {
        this.delivered.set(m.id, m.seq);
        metrics.received.add(1);
        metrics.deliveryLatency.add(Date.now() - m.body.sentAt);
      } else if (this.delivered.has(m.id) && this.delivered.get(m.id) !== m.seq) {
        metrics.duplicated.add(1); // the server stored one id twice
      }
    } else if (seen) {
      metrics.redelivered.add(1);
    }
    if (this.contig > this.acked) {
      this.acked = this.contig;
      this._write({ type: 'ack', seq: this.contig }); // cumulative, only over what has no gap
    }
  }

  /** Sends `body` to `peer` with a fresh id and records that the peer should receive it. */
  send(peer, body) {
    const id = `${this.label}-${runNonce}-${++this.counter}`;
    const frame = { type: 'send', id, to: peer.userId, body: Object.assign({ sentAt: Date.now() }, body) };
    this.pending.set(id, { frame, at: Date.now() });
    peer.expected.set(id, true);
    this._write(frame); // when closed, connect() resends it
    return id;
  }

  /** Replays the inbox after what this client has; resolves with `synced`. */
  sync() {
    metrics.syncs.add(1);
    const ref = `sync-${++this.counter}`;
    const done = this.until((f) => (f.type === 'synced' || f.type === 'error') && f.ref === ref, SETTLE_MS);
    this._write({ type: 'sync', after: this.contig, epoch: this.epoch, ref });
    return done.then((f) => {
      check(f, { 'sync ends with synced': (s) => s.type === 'synced' && s.upTo >= s.after });
      return f;
    });
  }

  /** Resolves with the first frame matching `test`, or rejects after `ms`. */
  until(test, ms) {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${this.label}: no matching frame within ${ms} ms`)), ms);
      this.waiters.push({ test, resolve: (f) => { clearTimeout(t); resolve(f); } });
    });
  }

  /** Closes the socket on purpose (no reconnect) and resolves once it is closed. */
  close() {
    this.active = false;
    if (!this.ws || this.ws.readyState === 3) return Promise.resolve();
    const ws = this.ws;
    return new Promise((resolve) => {
      const t = setTimeout(resolve, 5000);
      ws.addEventListener('close', () => { clearTimeout(t); resolve(); });
      ws.close();
    });
  }
}

// ---------------------------------------------------------------- a pair of users per VU

let pair = null;

/** This VU's two users (tokens 2(vu-1) and 2(vu-1)+1). Their state survives iterations. */
export function vuPair(defaultAuth) {
  if (pair === null) {
    const auth = __ENV.AUTH || defaultAuth || 'query';
    const base = (exec.vu.idInTest - 1) * 2;
    pair = [
      new CourierClient(`vu${exec.vu.idInTest}a`, tokenFor(base), auth === 'header' ? 'header' : 'query'),
      new CourierClient(`vu${exec.vu.idInTest}b`, tokenFor(base + 1), auth === 'query' ? 'query' : 'header'),
    ];
  }
  return pair;
}

export async function connectAll(clients) {
  return Promise.all(clients.map((c) => c.connect()));
}

/** Both users send to each other, `rate` messages per second each, for `ms`. */
export function exchange([a, b], ms, rate) {
  if (ms <= 0 || rate <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    let n = 0;
    const tick = setInterval(() => {
      n++;
      a.send(b, { n });
      b.send(a, { n });
    }, 1000 / rate);
    setTimeout(() => { clearInterval(tick); resolve(n); }, ms);
  });
}

/**
 * Waits until every send is confirmed and every confirmed message delivered. What is still
 * missing after SETTLE_MS is asked for with a sync; only what even the sync lacks is lost.
 */
export async function settle(clients) {
  const done = () => clients.every((c) => c.pending.size === 0 && c.expected.size === 0);
  const deadline = Date.now() + SETTLE_MS;
  while (!done() && Date.now() < deadline) await delay(20);
  for (const c of clients) {
    if (c.expected.size > 0 && c.open) {
      try {
        await c.sync();
      } catch (e) {
        console.warn(e.message);
      }
    }
  }
  for (const c of clients) {
    const unconfirmed = new Set(c.pending.keys());
    metrics.unconfirmed.add(unconfirmed.size);
    c.pending.clear();
    for (const peer of clients) {
      for (const id of peer.expected.keys()) {
        if (unconfirmed.has(id)) {
          peer.expected.delete(id); // never stored as far as we know: unconfirmed, not lost
        }
      }
    }
  }
  let lost = 0;
  for (const c of clients) {
    if (c.expected.size > 0) {
      console.error(`${c.label} (${c.userId}) never received: ${[...c.expected.keys()].slice(0, 10).join(', ')}`);
      lost += c.expected.size;
      c.expected.clear();
    }
  }
  // Added even when 0, so the count==0 thresholds always have data to judge.
  metrics.lost.add(lost);
  metrics.duplicated.add(0);
  check(lost, { 'nothing lost': (n) => n === 0 });
  return lost;
}

export async function closeAll(clients) {
  await Promise.all(clients.map((c) => c.close()));
}

/** The thresholds every script keeps: nothing lost or duplicated, handshakes and checks pass. */
export function baseThresholds() {
  return {
    connect_success: ['rate>0.99'],
    checks: ['rate>0.99'],
    messages_lost: ['count==0'],
    messages_duplicated: ['count==0'],
    messages_unconfirmed: ['count==0'],
    delivery_latency: [`p(99)<${envInt('DELIVERY_P99_MS', 1000)}`],
  };
}
