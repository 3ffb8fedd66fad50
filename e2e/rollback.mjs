// The JavaScript client across a real rolled-back inbox, run by JsClientRollbackTest against a node
// on a real redis-server. The test owns Redis: this script asks it on stdout ("REDIS snapshot",
// "REDIS rollback") and goes on when it answers "done" on stdin.
//   1-3 to bob, RDB snapshot, 4-5 received and acked, Redis SIGKILLed and started from the
//   snapshot (seqs 4 and 5 free again in the same epoch), new sends: bob's client delivers them
//   exactly once and emits loss {kind: 'rollback'}, whether the server finds the rollback from the
//   sync's proof (two new sends) or bob finds it from the welcome (one new send, then another).
import { createHmac, randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { WebSocket } from 'ws';
import { CourierClient } from '../clients/js/courier.js';

const BASE = process.env.COURIER_URL;
const SECRET = process.env.COURIER_JWT_SECRET;
const WS_URL = `${BASE.replace(/^http/, 'ws')}/ws`;
const overall = setTimeout(() => {
  console.error('rollback: over the 120 s budget');
  process.exit(3);
}, 120000);

const b64 = (s) => Buffer.from(s).toString('base64url');
function token(sub) {
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${b64(JSON.stringify({ sub, iat: now, exp: now + 600 }))}`;
  return `${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`;
}
const uid = (name) => `${name}-${randomUUID().slice(0, 8)}`;
const client = (user) => new CourierClient({
  url: WS_URL, getToken: async () => token(user), WebSocket, storage: null, reconnectBaseMs: 50, reconnectCapMs: 500,
  sendRetryBaseMs: 50, sendRetryCapMs: 500, ackDelayMs: 0,
});
async function until(cond, what, ms = 30000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
function check(cond, message) {
  if (!cond) throw new Error(message);
}

const answers = [];
createInterface({ input: process.stdin }).on('line', (l) => answers.push(l.trim()));
/** Asks the test to do something to Redis and waits for its "done". */
async function redis(what) {
  console.log(`REDIS ${what}`);
  await until(() => answers.length > 0, `the test to ${what} Redis`, 60000);
  const a = answers.shift();
  check(a === 'done', `the test answered ${a}`);
}

const tests = [];
const test = (name, fn) => tests.push({ name, fn });

/** Alice and bob (bob's acks recorded); `send(from, to)` sends n = from..to one after another. */
async function pair() {
  const a = client(uid('alice'));
  const bobId = uid('bob');
  const b = client(bobId);
  const got = [];
  const losses = [];
  const acks = [];
  b.on('message', (m) => got.push(m.body.n));
  b.on('loss', (l) => losses.push(l));
  const rawSend = b.rawSend.bind(b);
  b.rawSend = (f) => {
    const ok = rawSend(f);
    if (ok && f.type === 'ack') acks.push(f.seq);
    return ok;
  };
  await Promise.all([a.connect(), b.connect()]);
  const send = async (from, to) => {
    for (let n = from; n <= to; n++) await a.send(bobId, { n }); // each stored before the next: seqs follow n
  };
  return { a, b, got, losses, acks, send };
}

/** 1-3, snapshot, 4-5 received and acked, Redis back at the snapshot. */
async function rolledBackAt3({ b, got, acks, send }) {
  await send(1, 3);
  await until(() => got.length === 3, 'bob has 1-3');
  await redis('snapshot');
  await send(4, 5);
  await until(() => got.length === 5 && acks.includes(5), `bob has 4-5 and acked 5 (got ${got}, acks ${acks})`);
  const { epoch } = b;
  await redis('rollback');
  return epoch;
}

test('a client ahead of a rolled-back inbox gets the new messages once and is told', async () => {
  const t = await pair();
  const epoch = await rolledBackAt3(t);
  await t.send(6, 7);
  await until(() => t.got.includes(6) && t.got.includes(7), `bob has 6 and 7 (got ${t.got})`);
  await t.send(8, 8); // a marker: anything delivered twice would have come before it
  await until(() => t.got.includes(8), `bob has 8 (got ${t.got})`);
  check(t.got.join() === '1,2,3,4,5,6,7,8', `bob got ${t.got}`);
  check(JSON.stringify(t.losses) === JSON.stringify([{ kind: 'rollback', epoch, fromSeq: 6 }]),
    `losses ${JSON.stringify(t.losses)}`);
  check(t.b.epoch === epoch && t.b.lastSeq === 6, `position ${t.b.epoch} ${t.b.lastSeq}: the new messages took 4 and 5 again`);
  t.a.close();
  t.b.close();
});

test('a welcome below the client seq after a rollback is caught too', async () => {
  const t = await pair();
  const epoch = await rolledBackAt3(t);
  await t.send(6, 6); // one new message: the store is at seq 4, below bob's 5, when bob reconnects
  await until(() => t.got.includes(6), `bob has 6 (got ${t.got})`);
  check(t.b.lastSeq === 4, `bob at ${t.b.lastSeq}`);
  await t.send(7, 7);
  await until(() => t.got.includes(7), `bob has 7 (got ${t.got})`);
  check(t.got.join() === '1,2,3,4,5,6,7', `bob got ${t.got}`);
  check(JSON.stringify(t.losses) === JSON.stringify([{ kind: 'rollback', epoch, fromSeq: 6 }]),
    `losses ${JSON.stringify(t.losses)}`);
  check(t.b.lastSeq === 5, `bob at ${t.b.lastSeq}`);
  t.a.close();
  t.b.close();
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
