// Smoke test: a few VUs, each a pair of users (one authenticating with ?token=, one with the
// Authorization header), exchange messages, then one user reconnects after missing messages
// and must get them through sync. Every threshold must hold on a healthy node.
//   k6 run -e COURIER_JWT_SECRET=... k6/smoke.js
import { baseThresholds, closeAll, connectAll, envInt, exchange, settle, vuPair } from './lib/courier.js';

const SESSION_MS = envInt('SESSION', 5) * 1000;
const RATE = envInt('RATE', 5);

export const options = {
  scenarios: {
    smoke: { executor: 'per-vu-iterations', vus: envInt('VUS', 2), iterations: envInt('ITERATIONS', 2), maxDuration: '2m' },
  },
  thresholds: Object.assign(baseThresholds(), {
    connect_success: ['rate==1'],
    checks: ['rate==1'],
    ws_connecting: [`p(95)<${envInt('CONNECT_P95_MS', 1000)}`],
  }),
};

export default async function () {
  const [a, b] = vuPair('mixed');
  await connectAll([a, b]);
  await exchange([a, b], SESSION_MS, RATE);
  await settle([a, b]);

  // b goes away; a keeps writing to b's inbox; b comes back, sees welcome.lastSeq ahead and syncs.
  await b.close();
  for (let i = 0; i < 3; i++) a.send(b, { offline: i });
  await a.until((f) => f.type === 'sent' && a.pending.size === 0, 10000).catch(() => {});
  await b.connect();
  await settle([a, b]);
  await closeAll([a, b]);
}
