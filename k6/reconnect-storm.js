// Reconnect storm: every VU's pair connects and messages; at the same wall-clock instant (the next
// multiple of STORM_EVERY seconds) every connection is dropped. User a comes back after a random
// 0-JITTER ms and keeps sending; user b comes back OUTAGE ms later, so its inbox is ahead and it
// must sync. Measured: drop -> welcome (reconnect_time) and drop -> synced (resync_time).
//   k6 run -e COURIER_JWT_SECRET=... -e VUS=2000 k6/reconnect-storm.js
import { Trend } from 'k6/metrics';
import { baseThresholds, closeAll, connectAll, envInt, exchange, settle, vuPair } from './lib/courier.js';

const STORM_EVERY_MS = envInt('STORM_EVERY', 10) * 1000;
const WARMUP_MS = envInt('WARMUP', 2) * 1000;
const AFTER_MS = envInt('AFTER', 2) * 1000;
const JITTER_MS = envInt('JITTER', 1000);
const OUTAGE_MS = envInt('OUTAGE', 1000);
const RATE = envInt('RATE', 5);

const reconnectTime = new Trend('reconnect_time', true);
const resyncTime = new Trend('resync_time', true);

export const options = {
  scenarios: {
    storm: { executor: 'per-vu-iterations', vus: envInt('VUS', 500), iterations: envInt('ITERATIONS', 1), maxDuration: '10m' },
  },
  thresholds: Object.assign(baseThresholds(), {
    reconnect_time: [`p(95)<${envInt('RECONNECT_P95_MS', 5000)}`],
    resync_time: [`max<${envInt('RESYNC_MAX_MS', 15000)}`],
    // Messages written while a user is away wait for it by design: allow the outage on top.
    delivery_latency: [`p(99)<${JITTER_MS + OUTAGE_MS + envInt('DELIVERY_P99_MS', 1000)}`],
  }),
};

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function comeBack(client, droppedAt, waitMs) {
  await delay(waitMs);
  const started = Date.now();
  await client.connect(); // welcome, then sync if the inbox is ahead, then resend of unconfirmed sends
  reconnectTime.add(Date.now() - started);
  resyncTime.add(Date.now() - droppedAt);
}

export default async function () {
  const [a, b] = vuPair('query');
  await connectAll([a, b]);
  // All VUs drop at the same instant: the first STORM_EVERY boundary at least WARMUP from now.
  const dropAt = Math.ceil((Date.now() + WARMUP_MS) / STORM_EVERY_MS) * STORM_EVERY_MS;
  const total = dropAt - Date.now() + JITTER_MS + OUTAGE_MS + AFTER_MS;
  const traffic = exchange([a, b], total, RATE); // keeps sending while disconnected: queued, resent

  await delay(dropAt - Date.now());
  const droppedAt = Date.now();
  await closeAll([a, b]);
  const jitter = Math.random() * JITTER_MS;
  await Promise.all([comeBack(a, droppedAt, jitter), comeBack(b, droppedAt, jitter + OUTAGE_MS)]);

  await traffic;
  await settle([a, b]);
  await closeAll([a, b]);
}
