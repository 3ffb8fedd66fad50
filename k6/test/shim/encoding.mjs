// Fake 'k6/encoding': b64encode with k6's four variants (std, rawstd, url, rawurl).
export function b64encode(input, encoding = 'std') {
  const buf = Buffer.from(input, 'utf8');
  switch (encoding) {
    case 'std': return buf.toString('base64');
    case 'rawstd': return buf.toString('base64').replace(/=+$/, '');
    case 'url': { const s = buf.toString('base64url'); return s.padEnd(Math.ceil(s.length / 4) * 4, '='); }
    case 'rawurl': return buf.toString('base64url');
    default: throw new Error(`k6 shim: unknown b64encode encoding '${encoding}'`);
  }
}

export default { b64encode };
