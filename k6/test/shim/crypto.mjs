// Fake 'k6/crypto': hmac() with k6's output encodings, over node:crypto.
import { createHmac } from 'node:crypto';

const ENCODINGS = { hex: 'hex', base64: 'base64', base64url: 'base64url', base64rawurl: 'base64url' };

export function hmac(algorithm, secret, data, outputEncoding) {
  if (!(outputEncoding in ENCODINGS)) throw new Error(`k6 shim: unsupported hmac encoding '${outputEncoding}'`);
  const out = createHmac(algorithm, secret).update(data).digest(ENCODINGS[outputEncoding]);
  // Node's base64url has no padding (k6's rawurl); k6's base64url keeps it.
  return outputEncoding === 'base64url' ? out.padEnd(Math.ceil(out.length / 4) * 4, '=') : out;
}

export default { hmac };
