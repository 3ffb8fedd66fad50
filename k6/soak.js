// Soak test: a constant number of VUs for DURATION (hours if you like), each pair messaging at a
// low RATE in SESSION-long connections and reconnecting between them. A node that drains sends
// `reconnect`: the clients reconnect through the load balancer and sync, and nothing may be lost.
//   k6 run -e COURIER_JWT_SECRET=... -e VUS=200 -e DURATION=4h k6/soak.js
import { baseThresholds, closeAll, connectAll, envInt, exchange, settle, vuPair } from './lib/courier.js';

const SESSION_MS = envInt('SESSION', 60) * 1000;
const RATE = envInt('RATE', 1);

export const options = {
  scenarios: {
    soak: {
      executor: 'constant-vus',
      vus: envInt('VUS', 50),
      duration: __ENV.DURATION || '1h',
      gracefulStop: `${Math.ceil(SESSION_MS / 1000) + 15}s`,
    },
  },
  thresholds: Object.assign(baseThresholds(), {
    ws_connecting: [`p(99)<${envInt('CONNECT_P99_MS', 1000)}`],
    delivery_latency: [`p(99)<${envInt('DELIVERY_P99_MS', 1000)}`],
  }),
};

export default async function () {
  const pair = vuPair('query');
  await connectAll(pair);
  await exchange(pair, SESSION_MS, RATE);
  await settle(pair);
  await closeAll(pair);
}
