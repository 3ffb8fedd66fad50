// Fake 'k6/execution': one copy per VU (the loader adds ?vu=N), reading the runner's counters.
import { vus } from './state.mjs';

const id = Number(new URL(import.meta.url).searchParams.get('vu') || 0);

const exec = {
  vu: {
    idInTest: id,
    idInInstance: id,
    get iterationInInstance() { return vus.get(id)?.iteration ?? 0; },
    get iterationInScenario() { return vus.get(id)?.iteration ?? 0; },
  },
  scenario: { name: 'shim', executor: 'shim' },
  instance: {},
  test: { abort(reason) { throw new Error(`test.abort: ${reason}`); } },
};

export default exec;
