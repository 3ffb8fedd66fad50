#!/usr/bin/env node
// Sends one notification to a Courier user through the TCP event-bus bridge and prints the reply.
// Node.js 20, standard library only. Wire format: each frame is a 4-byte big-endian length, then
// that many bytes of UTF-8 JSON. See README.md beside this file and docs/protocol.md.
//
//   node notify.mjs --port 7001 --token "$SERVICE_TOKEN" --to bob --text "Your export is ready"
//
// Exit codes: 0 stored (also when dup), 1 refused (err frame), 2 usage, 3 connection/timeout.
import net from 'node:net';
import { randomUUID } from 'node:crypto';

const USAGE = `usage: node notify.mjs --to USER (--text TEXT | --body JSON)
       [--host 127.0.0.1] [--port 7001] [--id ID] [--timeout-ms 10000]
       auth: --token JWT (or env COURIER_SERVICE_TOKEN)
          or --secret SECRET --service NAME (or env COURIER_TCP_BRIDGE_SECRET)`;

function parseArgs(argv) {
  const opts = { host: '127.0.0.1', port: 7001, timeoutMs: 10000 };
  const names = { '--host': 'host', '--port': 'port', '--token': 'token', '--secret': 'secret',
    '--service': 'service', '--to': 'to', '--id': 'id', '--text': 'text', '--body': 'body',
    '--timeout-ms': 'timeoutMs' };
  for (let i = 0; i < argv.length; i += 2) {
    const key = names[argv[i]];
    if (!key || i + 1 >= argv.length) throw new Error(`unknown option or missing value: ${argv[i]}`);
    opts[key] = argv[i + 1];
  }
  opts.port = Number(opts.port);
  opts.timeoutMs = Number(opts.timeoutMs);
  opts.token ??= process.env.COURIER_SERVICE_TOKEN;
  opts.secret ??= process.env.COURIER_TCP_BRIDGE_SECRET;
  if (!opts.to) throw new Error('--to is required');
  if ((opts.text === undefined) === (opts.body === undefined)) throw new Error('give exactly one of --text or --body');
  if (!Number.isInteger(opts.port) || opts.port < 1 || opts.port > 65535) throw new Error('--port must be 1-65535');
  return opts;
}

// One frame: 4-byte big-endian length of the JSON bytes, then the bytes.
function encodeFrame(obj) {
  const json = Buffer.from(JSON.stringify(obj), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(json.length, 0);
  return Buffer.concat([len, json]);
}

// Splits the incoming byte stream into frames; calls onFrame with each parsed object.
function frameReader(onFrame) {
  let pending = Buffer.alloc(0);
  return (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 4) {
      const len = pending.readUInt32BE(0);
      if (pending.length < 4 + len) break;
      const json = pending.subarray(4, 4 + len).toString('utf8');
      pending = pending.subarray(4 + len);
      onFrame(JSON.parse(json));
    }
  };
}

function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`${e.message}\n${USAGE}`);
    process.exit(2);
  }
  const headers = {};
  if (opts.token) headers.token = opts.token;
  else if (opts.secret) Object.assign(headers, { secret: opts.secret, service: opts.service ?? '' });

  const replyAddress = `reply.${randomUUID()}`;
  const body = opts.text !== undefined ? { text: opts.text } : JSON.parse(opts.body);
  const request = {
    type: 'send',
    address: 'courier.notify',
    replyAddress,
    headers,
    body: { id: opts.id ?? randomUUID(), to: opts.to, body },
  };

  const socket = net.createConnection({ host: opts.host, port: opts.port });
  const timer = setTimeout(() => {
    console.error(`no reply within ${opts.timeoutMs} ms`);
    socket.destroy();
    process.exitCode = 3;
  }, opts.timeoutMs);

  const finish = (code) => {
    clearTimeout(timer);
    process.exitCode = code;
    socket.end();
  };

  socket.on('connect', () => socket.write(encodeFrame(request)));
  socket.on('data', frameReader((frame) => {
    if (frame.type === 'message' && frame.address === replyAddress) {
      // Reply body: {id, ts, dup}
      console.log(JSON.stringify(frame.body));
      finish(0);
    } else if (frame.type === 'err') {
      // message is "<code>:<text>" for Courier's errors (forbidden, bad_frame, unavailable, ...),
      // or the bridge's own word (access_denied, ...).
      const [code, ...text] = String(frame.message).split(':');
      console.error(JSON.stringify({ error: code, message: text.join(':') || null, failureCode: frame.failureCode ?? null }));
      finish(1);
    }
  }));
  socket.on('error', (e) => {
    clearTimeout(timer);
    console.error(`connection failed: ${e.message}`);
    process.exitCode = 3;
  });
}

main();
