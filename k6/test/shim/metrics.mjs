// Fake 'k6/metrics': every add() is kept as a sample; the runner computes k6's aggregates.
import { metrics, record } from './state.mjs';

class Metric {
  constructor(type, name, isTime) {
    if (!/^[A-Za-z0-9_]{1,128}$/.test(name)) throw new Error(`invalid metric name '${name}'`);
    this.name = name;
    this.type = type;
    if (!metrics.has(name)) metrics.set(name, { type, isTime: Boolean(isTime), samples: [] });
  }

  add(value) {
    if (typeof value !== 'number' && typeof value !== 'boolean') throw new Error(`${this.name}.add(${value}): not a number`);
    record(this.name, this.type, value);
  }
}

export class Counter extends Metric { constructor(name) { super('counter', name); } }
export class Gauge extends Metric { constructor(name, isTime) { super('gauge', name, isTime); } }
export class Rate extends Metric { constructor(name) { super('rate', name); } }
export class Trend extends Metric { constructor(name, isTime) { super('trend', name, isTime); } }

export default { Counter, Gauge, Rate, Trend };
