// Module resolution for the shim: maps k6's built-in module names to the fake modules in this
// folder, and gives every VU its own copy of the script's modules (k6 runs each VU in its own
// JavaScript runtime) by carrying a ?vu=N query from the script down to its relative imports.
const SHIM = new URL('./', import.meta.url);
const MODULES = {
  k6: 'k6.mjs',
  'k6/websockets': 'websockets.mjs',
  'k6/experimental/websockets': 'websockets.mjs',
  'k6/metrics': 'metrics.mjs',
  'k6/crypto': 'crypto.mjs',
  'k6/encoding': 'encoding.mjs',
  'k6/data': 'data.mjs',
  'k6/execution': 'execution.mjs',
};

export async function resolve(specifier, context, nextResolve) {
  const vu = context.parentURL ? new URL(context.parentURL).searchParams.get('vu') : null;
  if (specifier in MODULES) {
    const url = new URL(MODULES[specifier], SHIM);
    // Per-VU: execution (which VU am I). Shared: metrics, checks (aggregated like k6 does).
    if (specifier === 'k6/execution' && vu) url.searchParams.set('vu', vu);
    return { url: url.href, shortCircuit: true };
  }
  if (specifier.startsWith('k6/')) throw new Error(`the k6 shim has no module '${specifier}'`);
  const resolved = await nextResolve(specifier, context);
  if (vu && resolved.url.startsWith('file:') && !resolved.url.startsWith(SHIM.href)) {
    const url = new URL(resolved.url);
    url.searchParams.set('vu', vu);
    return { ...resolved, url: url.href };
  }
  return resolved;
}
