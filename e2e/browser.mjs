// Browser end-to-end tests: the demo page (JavaScript client over /ws) and the SockJS event-bus
// bridge, in headless Chromium driven by playwright-core. Run by BrowserE2ETest against a node it
// starts; by hand:
//   COURIER_URL=http://127.0.0.1:8080 COURIER_JWT_SECRET=... node e2e/browser.mjs
// The node must serve COURIER_WEB_DIR with vendor/sockjs.min.js and vendor/vertx-eventbus.js
// (e2e/vendor.mjs copies them from node_modules).
import { createHmac, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

const BASE = process.env.COURIER_URL;
const SECRET = process.env.COURIER_JWT_SECRET;
const SHOTS = process.env.SCREENSHOT_DIR || 'target/screenshots';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const DEADLINE_MS = Number(process.env.E2E_DEADLINE_MS || 85000);
if (!BASE || !SECRET) {
  console.error('COURIER_URL and COURIER_JWT_SECRET are required');
  process.exit(2);
}
mkdirSync(SHOTS, { recursive: true });
const overall = setTimeout(() => {
  console.error(`e2e: over the ${DEADLINE_MS} ms budget`);
  process.exit(3);
}, DEADLINE_MS);

const b64 = (s) => Buffer.from(s).toString('base64url');
function token(sub, ttlS = 600) {
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${b64(JSON.stringify({ sub, iat: now, exp: now + ttlS }))}`;
  return `${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`;
}
const uid = (name) => `${name}-${randomUUID().slice(0, 8)}`;

function check(cond, message) {
  if (!cond) throw new Error(message);
}

// ---- demo page helpers -----------------------------------------------------------------------

async function signIn(page, user) {
  await page.goto(`${BASE}/`);
  await page.fill('[data-testid=token]', token(user));
  await page.click('[data-testid=signin]');
  await connected(page);
}

const connected = (page) => page.waitForSelector('[data-testid=conn][data-state=connected]', { timeout: 15000 });

async function openChat(page, peer) {
  await page.fill('[data-testid=contact-input]', peer);
  await page.press('[data-testid=contact-input]', 'Enter');
  await page.waitForSelector(`[data-testid=peer]:has-text("${peer}")`);
}

async function say(page, text) {
  await page.fill('[data-testid=text]', text);
  await page.press('[data-testid=text]', 'Enter');
}

const count = (page, text) => page.$$eval('#messages li .text', (els, t) => els.filter((e) => e.textContent === t).length, text);

async function waitCount(page, text, n = 1) {
  await page.waitForFunction(([t, k]) => [...document.querySelectorAll('#messages li .text')]
    .filter((e) => e.textContent === t).length >= k, [text, n], { timeout: 15000 });
}

async function status(page, text) {
  return page.$$eval('#messages li', (els, t) => els.filter((e) => e.querySelector('.text').textContent === t)
    .map((e) => e.dataset.status), text);
}

async function waitStatus(page, text, want) {
  await page.waitForFunction(([t, w]) => [...document.querySelectorAll('#messages li')]
    .some((e) => e.querySelector('.text').textContent === t && e.dataset.status === w), [text, want], { timeout: 15000 });
}

const shot = (page, name) => page.screenshot({ path: `${SHOTS}/${name}.png` });

// ---- scenarios -------------------------------------------------------------------------------

const tests = [];
const test = (name, fn) => tests.push({ name, fn });

test('two browsers chat: presence dot, sent and delivered ticks', async ({ browser }) => {
  const alice = uid('alice');
  const bob = uid('bob');
  const a = await (await browser.newContext()).newPage();
  const b = await (await browser.newContext()).newPage();
  await signIn(a, alice);
  await signIn(b, bob);
  await openChat(a, bob);
  await a.waitForSelector(`li[data-user="${bob}"][data-online=true]`, { timeout: 10000 });
  await say(a, 'hello bob');
  await b.click(`li[data-user="${alice}"]`);
  await waitCount(b, 'hello bob');
  await say(b, 'hi alice');
  await waitCount(a, 'hi alice');
  await waitStatus(a, 'hello bob', 'delivered');
  await waitStatus(b, 'hi alice', 'delivered');
  await b.click('[data-testid=room-input]');
  await b.fill('[data-testid=room-input]', 'r-general');
  await b.press('[data-testid=room-input]', 'Enter');
  await b.waitForSelector('[data-testid=rooms-note]:not(:empty)');
  await shot(a, 'chat-alice');
  await shot(b, 'chat-bob');
  await a.context().close();
  await b.context().close();
});

test('offline sender queues, everything arrives exactly once after it comes back', async ({ browser }) => {
  const alice = uid('alice');
  const bob = uid('bob');
  const actx = await browser.newContext();
  const bctx = await browser.newContext();
  const a = await actx.newPage();
  const b = await bctx.newPage();
  await signIn(a, alice);
  await signIn(b, bob);
  await openChat(b, alice);
  await openChat(a, bob);

  await bctx.setOffline(true);
  await b.waitForSelector('[data-testid=conn][data-state=offline]', { timeout: 10000 });
  for (const t of ['q1', 'q2', 'q3']) await say(b, t);
  await b.waitForSelector('[data-testid=conn][data-queued="3"]');
  check((await status(b, 'q2'))[0] === 'queued', 'q2 should be queued while offline');
  await say(a, 'while you were away');
  await shot(b, 'offline-bob');
  await b.waitForTimeout(500);
  check((await count(a, 'q1')) === 0, 'nothing may leave an offline browser');

  await bctx.setOffline(false);
  await connected(b);
  for (const t of ['q1', 'q2', 'q3']) await waitCount(a, t);
  await waitCount(b, 'while you were away');
  await waitStatus(b, 'q3', 'delivered');
  // Retransmits (COURIER_RETRANSMIT_INITIAL_MS is short in the test) and the sync must not double anything.
  await a.waitForTimeout(1500);
  for (const t of ['q1', 'q2', 'q3']) check((await count(a, t)) === 1, `${t} shown ${await count(a, t)} times`);
  check((await count(b, 'while you were away')) === 1, 'the message to bob shown twice');
  const order = await a.$$eval('#messages li .text', (els) => els.map((e) => e.textContent));
  check(order.join(',') === 'while you were away,q1,q2,q3', `alice saw ${order}`);
  check((await b.getAttribute('[data-testid=conn]', 'data-queued')) === '0', 'queue not empty');
  await shot(b, 'back-online-bob');
  await actx.close();
  await bctx.close();
});

test('a page reload mid-conversation loses nothing', async ({ browser }) => {
  const alice = uid('alice');
  const bob = uid('bob');
  const actx = await browser.newContext();
  const bctx = await browser.newContext();
  const a = await actx.newPage();
  const b = await bctx.newPage();
  await signIn(a, alice);
  await signIn(b, bob);
  await openChat(a, bob);
  await say(a, 'before reload');
  await b.click(`li[data-user="${alice}"]`);
  await waitCount(b, 'before reload');
  // Sent and reloaded at once: the outbox is in localStorage before the frame is written.
  await say(a, 'r1');
  await say(a, 'r2');
  await a.reload();
  await connected(a);
  await a.click(`li[data-user="${bob}"]`);
  for (const t of ['before reload', 'r1', 'r2']) check((await count(a, t)) === 1, `alice's history lost ${t}`);
  await waitCount(b, 'r1');
  await waitCount(b, 'r2');
  // The recipient reloads while messages are coming in.
  const sending = (async () => {
    for (const t of ['m1', 'm2', 'm3']) {
      await say(a, t);
      await a.waitForTimeout(100);
    }
  })();
  await b.reload();
  await sending;
  await connected(b);
  await b.click(`li[data-user="${alice}"]`);
  for (const t of ['m1', 'm2', 'm3']) await waitCount(b, t);
  await b.waitForTimeout(1500);
  const seen = await b.$$eval('#messages li .text', (els) => els.map((e) => e.textContent));
  check(seen.join(',') === 'before reload,r1,r2,m1,m2,m3', `bob saw ${seen}`);
  await waitStatus(a, 'm3', 'delivered');
  await shot(b, 'after-reload-bob');
  await actx.close();
  await bctx.close();
});

test('event-bus bridge: own inbox only, send with reply, sync after reconnect', async ({ browser }) => {
  const alice = uid('alice');
  const carol = uid('carol');
  const actx = await browser.newContext();
  const a = await actx.newPage();
  await signIn(a, alice);
  await openChat(a, carol);

  const cctx = await browser.newContext();
  let c = await cctx.newPage();
  await c.goto(`${BASE}/bridge.html?token=${token(carol)}`);
  await c.waitForFunction(() => document.getElementById('log').textContent.includes('synced'), null, { timeout: 15000 });
  await say(a, 'to the bridge');
  await c.waitForFunction(() => window.bridgeDemo.received.some((m) => m.body.text === 'to the bridge'), null, { timeout: 10000 });

  // Sending through courier.send: the reply is the sent frame; alice gets it.
  const reply = await c.evaluate((to) => new Promise((resolve) => {
    window.bridgeDemo.eb.send('courier.send', { id: 'b-1', to, body: { text: 'from the bridge' } },
      (err, r) => resolve(err ? { err } : r.body));
  }), alice);
  check(reply.type === 'sent' && reply.id === 'b-1' && reply.ts > 0, `courier.send answered ${JSON.stringify(reply)}`);
  await waitCount(a, 'from the bridge');

  // Another user's inbox and any other address are refused.
  const denied = await c.evaluate((other) => new Promise((resolve) => {
    const out = {};
    const eb = window.bridgeDemo.eb;
    eb.registerHandler(`courier.inbox.${other}`, (err, m) => {
      if (err) out.register = err;
      else out.leak = m;
    });
    eb.send('courier.delivery.send', { to: other }, (err) => {
      out.send = err;
      setTimeout(() => resolve(out), 300);
    });
  }), alice);
  check(denied.register && denied.register.failureType === 'access_denied', `register: ${JSON.stringify(denied)}`);
  check(denied.send && denied.send.failureType === 'access_denied', `send: ${JSON.stringify(denied)}`);
  // Alice gets a message now: nothing of her inbox reaches carol's socket.
  const b2 = await c.evaluate((to) => new Promise((resolve) => {
    window.bridgeDemo.eb.send('courier.send', { id: 'b-2', to, body: { text: 'for alice only' } }, () => resolve());
  }), alice);
  await waitCount(a, 'for alice only');
  await a.waitForTimeout(300);
  const foreign = await c.evaluate((me) => window.bridgeDemo.received.filter((m) => m.to !== me).length, carol);
  check(foreign === 0, `carol's socket got ${foreign} messages of another inbox`);
  check(!denied.leak, `carol's handler for alice's inbox got ${JSON.stringify(denied.leak)}`);
  await shot(c, 'bridge-carol');

  // A socket without a token is closed before it can do anything.
  const refused = await c.evaluate(() => new Promise((resolve) => {
    const eb = new EventBus('/eventbus');
    eb.onclose = () => resolve('closed');
    setTimeout(() => resolve('still open'), 5000);
  }));
  check(refused === 'closed', `a bridge socket without a token was ${refused}`);

  // Away, then back: the message sent meanwhile comes through sync on the inbox address.
  await c.close();
  await openChat(a, carol);
  await say(a, 'while carol was away');
  c = await cctx.newPage();
  await c.goto(`${BASE}/bridge.html?token=${token(carol)}`);
  await c.waitForFunction(() => window.bridgeDemo.received.some((m) => m.body.text === 'while carol was away'), null, { timeout: 15000 });
  await actx.close();
  await cctx.close();
});

// ---- runner ----------------------------------------------------------------------------------

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
let passed = 0;
let failed = 0;
try {
  for (const t of tests) {
    const started = Date.now();
    try {
      await t.fn({ browser });
      passed++;
      console.log(`ok   ${t.name} (${Date.now() - started} ms)`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${t.name} (${Date.now() - started} ms)\n     ${e.stack || e}`);
    }
  }
} finally {
  await browser.close();
  clearTimeout(overall);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
