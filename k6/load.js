// Load test: ramping VUs, each a pair of users messaging each other at RATE messages/s per user
// for SESSION seconds per iteration, then reconnecting (and syncing when behind) for the next.
//   k6 run -e COURIER_JWT_SECRET=... -e STAGES=30s:50,2m:200,30s:0 k6/load.js
import { baseThresholds, closeAll, connectAll, envInt, exchange, settle, vuPair } from './lib/courier.js';

const SESSION_MS = envInt('SESSION', 30) * 1000;
const RATE = envInt('RATE', 2);

/** "30s:50,2m:200" -> [{duration: '30s', target: 50}, {duration: '2m', target: 200}] */
function stages(text) {
  return text.split(',').map((s) => {
    const [duration, target] = s.trim().split(':');
    if (!/^\d+(ms|s|m|h)$/.test(duration) || !/^\d+$/.test(target || '')) {
      throw new Error(`STAGES entries look like 30s:50 (duration:target VUs), got '${s}'`);
    }
    return { duration, target: Number(target) };
  });
}

export const options = {
  scenarios: {
    load: {
      executor: 'ramping-vus',
      startVUs: 0,
      stages: stages(__ENV.STAGES || '30s:50,2m:200,30s:0'),
      gracefulRampDown: `${Math.ceil(SESSION_MS / 1000) + 15}s`, // let a session finish and settle
    },
  },
  thresholds: Object.assign(baseThresholds(), {
    ws_connecting: [`p(95)<${envInt('CONNECT_P95_MS', 500)}`],
    delivery_latency: [`p(95)<${envInt('DELIVERY_P95_MS', 200)}`, `p(99)<${envInt('DELIVERY_P99_MS', 500)}`],
    send_ack_latency: [`p(99)<${envInt('SEND_ACK_P99_MS', 500)}`],
  }),
};

export default async function () {
  const pair = vuPair('query');
  await connectAll(pair);
  await exchange(pair, SESSION_MS, RATE);
  await settle(pair);
  await closeAll(pair);
}
