// The JavaScript client (clients/js/courier.js) in Node with an injected WebSocket (the `ws`
// package; Node 20 has no global one), against a node run by BrowserE2ETest:
//   COURIER_URL=http://127.0.0.1:8080 COURIER_JWT_SECRET=... node e2e/node-client.mjs
import { createHmac, randomUUID } from 'node:crypto';
import { WebSocket } from 'ws';
import { CourierClient } from '../clients/js/courier.js';

const BASE = process.env.COURIER_URL;
const SECRET = process.env.COURIER_JWT_SECRET;
const WS_URL = `${BASE.replace(/^http/, 'ws')}/ws`;
const overall = setTimeout(() => {
  console.error('node-client: over the 30 s budget');
  process.exit(3);
}, 30000);

const b64 = (s) => Buffer.from(s).toString('base64url');
function token(sub) {
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${b64(JSON.stringify({ sub, iat: now, exp: now + 600 }))}`;
  return `${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`;
}
const uid = (name) => `${name}-${randomUUID().slice(0, 8)}`;
const memoryStorage = () => {
  const m = new Map();
  return { getItem: (k) => m.get(k) ?? null, setItem: (k, v) => m.set(k, v), removeItem: (k) => m.delete(k) };
};
const client = (user, extra = {}) => new CourierClient({
  url: WS_URL, getToken: async () => token(user), WebSocket, storage: null, reconnectBaseMs: 50, reconnectCapMs: 200, ...extra,
});
async function until(cond, what, ms = 10000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
function check(cond, message) {
  if (!cond) throw new Error(message);
}

const tests = [];
const test = (name, fn) => tests.push({ name, fn });

test('send, receive in order, resend across a dropped connection, exactly once', async () => {
  const alice = uid('alice');
  const bob = uid('bob');
  const a = client(alice);
  const b = client(bob);
  const got = [];
  b.on('message', (m) => got.push(m.body.n));
  await Promise.all([a.connect(), b.connect()]);
  const states = [];
  a.on('state', (s) => states.push(s.state));
  const first = await a.send(bob, { n: 1 });
  check(first.dup === false && first.ts > 0, `receipt ${JSON.stringify(first)}`);
  // Drop the socket under a burst: every send is written again after the reconnect, same ids.
  const burst = [2, 3, 4, 5].map((n) => a.send(bob, { n }));
  a.ws.close(4000, 'test drop');
  const receipts = await Promise.all(burst);
  check(receipts.every((r) => r.ts > 0), 'every send confirmed');
  await until(() => got.length >= 5, 'five messages');
  await new Promise((r) => setTimeout(r, 300));
  check(got.join(',') === '1,2,3,4,5', `bob got ${got}`);
  check(states.includes('reconnecting') && states.at(-1) === 'connected', `states ${states}`);
  a.close();
  b.close();
  check(a.state.state === 'closed', 'closed is terminal');
});

test('the persisted outbox survives a restart and is stored once', async () => {
  const alice = uid('alice');
  const bob = uid('bob');
  const storage = memoryStorage();
  const a1 = client(alice, { storage, storageKey: `courier:${alice}` });
  a1.send(bob, { n: 'queued-before-connect' }, { id: 'p-1' }).catch(() => {});
  check(a1.pending().length === 1, 'queued');
  a1.close(); // the "reload": nothing was written
  const a2 = client(alice, { storage, storageKey: `courier:${alice}` });
  check(a2.pending().length === 1 && a2.pending()[0].id === 'p-1', 'restored from storage');
  const sent = a2.waitFor('p-1');
  await a2.connect();
  check((await sent).id === 'p-1', 'restored send confirmed');
  check(a2.pending().length === 0, 'outbox empty');
  const b = client(bob);
  const got = [];
  b.on('message', (m) => got.push(m.id));
  await b.connect();
  await until(() => got.length >= 1, 'the message via sync');
  await new Promise((r) => setTimeout(r, 200));
  check(got.join(',') === 'p-1', `bob got ${got}`);
  a2.close();
  b.close();
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
