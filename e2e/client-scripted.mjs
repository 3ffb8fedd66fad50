// The JavaScript client (clients/js/courier.js) against a scripted server: a real WebSocket server
// on loopback (the `ws` package) that sends a welcome, answers pings and hands every other frame to
// the test, which answers by hand. No Courier node: run by BrowserE2ETest, or by hand with
//   node e2e/client-scripted.mjs
import { WebSocket, WebSocketServer } from 'ws';
import { CourierClient } from '../clients/js/courier.js';

const overall = setTimeout(() => {
  console.error('client-scripted: over the 30 s budget');
  process.exit(3);
}, 30000);

function check(cond, message) {
  if (!cond) throw new Error(message);
}
async function until(cond, what, ms = 5000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** One accepted connection, seen from the server. */
class Peer {
  constructor(ws) {
    this.ws = ws;
    this.frames = [];
    ws.on('message', (data) => {
      const f = JSON.parse(String(data));
      if (f.type === 'ping') ws.send(JSON.stringify({ type: 'pong' }));
      else this.frames.push(f);
    });
  }

  send(f) {
    this.ws.send(JSON.stringify(f));
  }

  /** The next frame of `type`, skipping others; null after `ms`. */
  async poll(type, ms = 5000) {
    const end = Date.now() + ms;
    for (;;) {
      while (this.frames.length) {
        const f = this.frames.shift();
        if (f.type === type) return f;
      }
      if (Date.now() > end) return null;
      await sleep(5);
    }
  }

  async next(type) {
    const f = await this.poll(type);
    check(f, `no '${type}' frame within 5 s`);
    return f;
  }

  close(code, reason) {
    this.ws.close(code, reason);
  }
}

class ScriptedServer {
  constructor() {
    this.lastSeq = 0; // what the welcome reports: a client ahead of it in its epoch sees a rollback
    this.epoch = 'e1';
    this.peers = [];
    this.accepted = 0;
    this.wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    this.wss.on('connection', (ws) => {
      const n = ++this.accepted;
      const peer = new Peer(ws);
      ws.send(JSON.stringify({
        type: 'welcome', sessionId: `s${n}`, userId: 'bob', nodeId: 'node-1', epoch: this.epoch,
        lastSeq: this.lastSeq, heartbeatMs: 25000, expiresAt: Date.now() + 3600000,
      }));
      this.peers.push(peer);
    });
  }

  async ready() {
    await new Promise((r) => (this.wss.address() ? r() : this.wss.on('listening', r)));
    return `ws://127.0.0.1:${this.wss.address().port}/ws`;
  }

  async nextPeer() {
    await until(() => this.peers.length > 0, 'a connection');
    return this.peers.shift();
  }

  close() {
    for (const c of this.wss.clients) c.terminate();
    this.wss.close();
  }
}

const msg = (seq, epoch = 'e1') => ({
  type: 'msg', seq, epoch, id: `m${seq}`, from: 'alice', to: 'bob', body: { n: seq }, ts: 1000 + seq,
});
/** A message of the inbox history after a rollback: a seq the client has seen, another message. */
const rolled = (seq) => ({
  type: 'msg', seq, epoch: 'e1', id: `n${seq}`, from: 'carol', to: 'bob', body: { new: seq }, ts: 9000 + seq,
});
const synced = (after, upTo, ref, extra = {}) => ({
  type: 'synced', after, upTo, epoch: 'e1', firstAvailable: 1, ...extra, ref,
});
const memoryStorage = () => {
  const m = new Map();
  return { getItem: (k) => m.get(k) ?? null, setItem: (k, v) => m.set(k, v), removeItem: (k) => m.delete(k) };
};

/** A client of the scripted server recording what it delivers and reports. */
async function setup(extra = {}) {
  const server = new ScriptedServer();
  const url = await server.ready();
  const client = new CourierClient({
    url, getToken: () => 'tok', WebSocket, storage: null, reconnectBaseMs: 10, reconnectCapMs: 50, ackDelayMs: 0, ...extra,
  });
  const got = [];
  const losses = [];
  client.on('message', (m) => got.push(m.id));
  client.on('loss', (l) => losses.push(l));
  return { server, client, got, losses };
}

/** Connects, delivers seqs 1..n of e1 and sees them acked, then drops the connection; returns the next peer. */
async function deliveredThenReconnected(t, n) {
  t.client.connect();
  const p1 = await t.server.nextPeer();
  await p1.next('sync');
  for (let s = 1; s <= n; s++) p1.send(msg(s));
  await until(() => t.client.lastSeq === n, `${n} delivered`);
  while ((await p1.next('ack')).seq < n) {
    // acks are cumulative: wait for the one covering n
  }
  t.server.lastSeq = n;
  p1.close(1012, 'inbox rolled back; reconnect and sync');
  return t.server.nextPeer();
}

const tests = [];
const test = (name, fn) => tests.push({ name, fn });

test('every sync after 0 carries the id and ts of the message at after', async () => {
  const storage = memoryStorage();
  const t = await setup({ storage, storageKey: 'bob' });
  try {
    const p = await deliveredThenReconnected(t, 3);
    const sync = await p.next('sync');
    check(sync.after === 3 && sync.epoch === 'e1', `sync ${JSON.stringify(sync)}`);
    check(sync.lastId === 'm3' && sync.lastTs === 1003, `proof ${JSON.stringify(sync)}`);
    check(typeof sync.ref === 'string', 'the sync has a ref');
    const saved = JSON.parse(storage.getItem('bob'));
    check(saved.lastSeq === 3 && saved.lastId === 'm3' && saved.lastTs === 1003, `saved ${JSON.stringify(saved)}`);
  } finally {
    t.client.close();
    t.server.close();
  }
});

test('a restored position is sent as proof', async () => {
  const storage = memoryStorage();
  storage.setItem('bob', JSON.stringify({ epoch: 'e1', lastSeq: 7, lastId: 'm7', lastTs: 1007, outbox: [] }));
  const t = await setup({ storage, storageKey: 'bob' });
  t.server.lastSeq = 7;
  try {
    t.client.connect();
    const sync = await (await t.server.nextPeer()).next('sync');
    check(sync.after === 7 && sync.lastId === 'm7' && sync.lastTs === 1007, `sync ${JSON.stringify(sync)}`);
  } finally {
    t.client.close();
    t.server.close();
  }
});

test('a sync reset delivers the new messages at seqs already seen and reports a rollback', async () => {
  // bob had 1..5; the store went back to 3 and then stored two new messages at 4 and 5
  const t = await setup();
  try {
    const p = await deliveredThenReconnected(t, 5);
    const sync = await p.next('sync');
    check(sync.after === 5 && sync.lastId === 'm5', `sync ${JSON.stringify(sync)}`);
    for (let s = 1; s <= 3; s++) p.send(msg(s));
    p.send(rolled(4));
    p.send(rolled(5));
    p.send(rolled(5));
    p.send(synced(0, 5, sync.ref, { reset: true }));
    await until(() => t.got.length === 7, 'seven delivered');
    check(t.got.join() === 'm1,m2,m3,m4,m5,n4,n5', `got ${t.got}`);
    check(JSON.stringify(t.losses) === JSON.stringify([{ kind: 'rollback', epoch: 'e1', fromSeq: 6 }]),
      `losses ${JSON.stringify(t.losses)}`);
    check(t.client.lastSeq === 5 && t.client.lastId === 'n5' && t.client.lastTs === 9005, 'position at the new 5');
    let ack;
    while ((ack = await p.next('ack')).seq !== 5) check(ack.seq < 5, `ack ${ack.seq}`);
    p.send(rolled(5)); // seq tracking again
    p.send(rolled(6));
    await until(() => t.got.length === 8, 'n6 delivered');
    await sleep(50);
    check(t.got.at(-1) === 'n6' && t.got.length === 8, `got ${t.got}`);
    check(t.losses.length === 1, 'one report');
  } finally {
    t.client.close();
    t.server.close();
  }
});

test('a welcome below the client seq in its epoch is a rollback repaired by syncing everything by key', async () => {
  const t = await setup();
  try {
    const p = await deliveredThenReconnected(t, 5);
    t.server.lastSeq = 4;
    p.close(1012, 'again'); // the next welcome says 4
    const p2 = await t.server.nextPeer();
    const sync = await p2.next('sync');
    check(sync.after === 0 && !('lastId' in sync), `everything the store holds: ${JSON.stringify(sync)}`);
    check(JSON.stringify(t.losses) === JSON.stringify([{ kind: 'rollback', epoch: 'e1', fromSeq: 6 }]),
      `losses ${JSON.stringify(t.losses)}`);
    for (let s = 1; s <= 3; s++) p2.send(msg(s));
    p2.send(rolled(4));
    p2.send(rolled(5)); // a live push during the replay
    p2.send(rolled(4));
    await until(() => t.got.length === 7, 'n4 and n5 delivered');
    check(await p2.poll('ack', 200) === null, 'no ack while our seqs are not the store\'s');
    p2.send(synced(0, 4, sync.ref));
    const ack = await p2.next('ack');
    check(ack.seq === 5, `ack ${ack.seq}`);
    check(t.client.lastSeq === 5 && t.client.lastId === 'n5', `position ${t.client.lastSeq} ${t.client.lastId}`);
    check(t.got.join() === 'm1,m2,m3,m4,m5,n4,n5', `got ${t.got}`);
    check(t.losses.length === 1, 'one report');
  } finally {
    t.client.close();
    t.server.close();
  }
});

test('without a reset, seqs already delivered are dropped as before', async () => {
  const t = await setup();
  try {
    const p = await deliveredThenReconnected(t, 2);
    const sync = await p.next('sync');
    for (let s = 1; s <= 4; s++) p.send(msg(s));
    p.send(synced(2, 4, sync.ref));
    await until(() => t.client.lastSeq === 4, 'four delivered');
    await sleep(50);
    check(t.got.join() === 'm1,m2,m3,m4', `got ${t.got}`);
    check(t.losses.length === 0, 'nothing reported');
  } finally {
    t.client.close();
    t.server.close();
  }
});

test('a send refused as overloaded is sent again with the same id, not given up', async () => {
  const t = await setup({ sendRetryBaseMs: 10, sendRetryCapMs: 20 });
  try {
    t.client.connect();
    const p = await t.server.nextPeer();
    await p.next('sync');
    const done = t.client.send('alice', 'hi');
    const first = await p.next('send');
    p.send({ type: 'error', code: 'overloaded', message: 'store budget used up', ref: first.id });
    const again = await p.next('send');
    check(again.id === first.id, `resent ${JSON.stringify(again)}`);
    p.send({ type: 'sent', id: again.id, ts: 7 });
    const receipt = await done;
    check(receipt.id === first.id && receipt.ts === 7, `receipt ${JSON.stringify(receipt)}`);
  } finally {
    t.client.close();
    t.server.close();
  }
});

test('the key set is bounded', async () => {
  const t = await setup({ maxRecentKeys: 2 });
  try {
    for (let s = 1; s <= 3; s++) t.client.remember(msg(s));
    check(t.client.recentKeys.size === 2, `size ${t.client.recentKeys.size}`);
    check(!t.client.remember(msg(3)) && t.client.remember(msg(1)), 'the oldest key was forgotten first');
  } finally {
    t.client.close();
    t.server.close();
  }
});

let passed = 0;
let failed = 0;
for (const t of tests) {
  try {
    await t.fn();
    passed++;
    console.log(`ok   ${t.name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${t.name}\n     ${e.stack || e}`);
  }
}
clearTimeout(overall);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
