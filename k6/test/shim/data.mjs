// Fake 'k6/data': a SharedArray is built once (by name) and shared by every VU, read-only.
const arrays = new Map();

export class SharedArray {
  constructor(name, fn) {
    if (!arrays.has(name)) {
      const data = fn();
      if (!Array.isArray(data)) throw new Error(`SharedArray '${name}': the function must return an array`);
      arrays.set(name, Object.freeze(data.slice()));
    }
    return arrays.get(name);
  }
}

export default { SharedArray };
