// State the runner and the fake modules share: metric samples, open sockets, per-VU iteration.
export const metrics = new Map(); // name -> {type, isTime, samples: number[]} (Rate: 0/1 samples)
export const sockets = new Set();
export const vus = new Map(); // vu id -> {iteration}

export function record(name, type, value, isTime = false) {
  let m = metrics.get(name);
  if (!m) {
    m = { type, isTime, samples: [] };
    metrics.set(name, m);
  }
  m.samples.push(typeof value === 'boolean' ? Number(value) : value);
}
