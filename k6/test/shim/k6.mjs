// Fake 'k6': check() feeds the built-in `checks` Rate and counts failures per name.
import { record } from './state.mjs';

export const failedChecks = new Map();

export function check(value, sets) {
  let all = true;
  for (const [name, fn] of Object.entries(sets)) {
    let ok;
    try {
      ok = Boolean(typeof fn === 'function' ? fn(value) : fn);
    } catch {
      ok = false;
    }
    record('checks', 'rate', ok);
    if (!ok) failedChecks.set(name, (failedChecks.get(name) || 0) + 1);
    all = all && ok;
  }
  return all;
}

export function sleep() {
  throw new Error('sleep() blocks the event loop in k6 too; the scripts use timers');
}

export function fail(message) {
  throw new Error(message);
}

export function group(name, fn) {
  return fn();
}

export default { check, sleep, fail, group };
