// Fake 'k6/websockets': the browser-style WebSocket k6 offers (constructor(url, protocols,
// params{headers, tags}), addEventListener, send, close, readyState), as a minimal RFC 6455
// client over node:http's upgrade: text frames, fragments, ping/pong, close. Feeds the
// built-in ws_* metrics the scripts' thresholds may name.
import { request } from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { record, sockets } from './state.mjs';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export class WebSocket {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;

  constructor(url, protocols, params = {}) {
    const u = new URL(url);
    if (u.protocol !== 'ws:') throw new Error(`k6 shim: only ws:// URLs, got ${u.protocol}`);
    this.url = url;
    this.readyState = 0;
    this.listeners = { open: [], message: [], error: [], close: [], ping: [], pong: [] };
    this.socket = null;
    this.parts = [];
    this.buffer = Buffer.alloc(0);
    this.startedAt = Date.now();
    sockets.add(this);
    const key = randomBytes(16).toString('base64');
    const req = request({
      host: u.hostname,
      port: u.port || 80,
      path: u.pathname + u.search,
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': key, ...(params.headers || {}) },
    });
    req.on('upgrade', (res, socket, head) => {
      const accept = createHash('sha1').update(key + GUID).digest('base64');
      if (res.headers['sec-websocket-accept'] !== accept) {
        socket.destroy();
        this._fail('bad Sec-WebSocket-Accept');
        return;
      }
      record('ws_connecting', 'trend', Date.now() - this.startedAt, true);
      record('ws_sessions', 'counter', 1);
      this.socket = socket;
      socket.setNoDelay(true);
      socket.on('data', (d) => this._data(d));
      socket.on('close', () => this._closed(1006, ''));
      socket.on('error', () => {});
      this.readyState = 1;
      this._emit('open', { type: 'open' });
      if (head.length) this._data(head);
    });
    req.on('response', (res) => {
      res.resume();
      this._fail(`websocket: bad handshake (status ${res.statusCode})`);
    });
    req.on('error', (e) => this._fail(e.message));
    req.end();
  }

  addEventListener(event, fn) {
    if (!(event in this.listeners)) throw new Error(`k6 shim: unknown WebSocket event '${event}'`);
    this.listeners[event].push(fn);
  }

  send(data) {
    if (this.readyState !== 1) throw new Error('k6 shim: send() on a WebSocket that is not open');
    if (typeof data !== 'string') throw new Error('k6 shim: only text frames');
    record('ws_msgs_sent', 'counter', 1);
    this._frame(0x1, Buffer.from(data, 'utf8'));
  }

  ping() {
    if (this.readyState === 1) this._frame(0x9, Buffer.alloc(0));
  }

  close(code = 1000, reason = '') {
    if (this.readyState === 0) {
      this._fail('closed before open');
      return;
    }
    if (this.readyState !== 1) return;
    this.readyState = 2;
    const r = Buffer.from(reason, 'utf8');
    const payload = Buffer.alloc(2 + r.length);
    payload.writeUInt16BE(code, 0);
    r.copy(payload, 2);
    this._frame(0x8, payload);
    setTimeout(() => this.socket && this.socket.destroy(), 2000).unref(); // server answers, or we give up
  }

  _emit(event, e) {
    for (const fn of this.listeners[event]) fn(e);
  }

  _fail(message) {
    if (this.readyState === 3) return;
    this._emit('error', { type: 'error', error: message });
    this._closed(1006, message);
  }

  _closed(code, reason) {
    if (this.readyState === 3) return;
    const wasOpen = this.socket !== null;
    this.readyState = 3;
    sockets.delete(this);
    if (this.socket) {
      const socket = this.socket;
      socket.end(); // lets a queued close frame go out first
      setTimeout(() => socket.destroy(), 1000).unref();
    }
    if (wasOpen) record('ws_session_duration', 'trend', Date.now() - this.startedAt, true);
    this._emit('close', { type: 'close', code, reason });
  }

  _frame(opcode, payload) {
    const mask = randomBytes(4);
    const len = payload.length;
    const head = len < 126 ? Buffer.alloc(2) : len < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
    head[0] = 0x80 | opcode;
    if (len < 126) head[1] = 0x80 | len;
    else if (len < 65536) { head[1] = 0x80 | 126; head.writeUInt16BE(len, 2); }
    else { head[1] = 0x80 | 127; head.writeBigUInt64BE(BigInt(len), 2); }
    const body = Buffer.alloc(len);
    for (let i = 0; i < len; i++) body[i] = payload[i] ^ mask[i & 3];
    this.socket.write(Buffer.concat([head, mask, body]));
  }

  _data(chunk) {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      if (this.buffer.length < 2) return;
      const fin = (this.buffer[0] & 0x80) !== 0;
      const opcode = this.buffer[0] & 0x0f;
      let len = this.buffer[1] & 0x7f;
      let off = 2;
      if (len === 126) {
        if (this.buffer.length < 4) return;
        len = this.buffer.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (this.buffer.length < 10) return;
        len = Number(this.buffer.readBigUInt64BE(2));
        off = 10;
      }
      if (this.buffer[1] & 0x80) { this._fail('server frames must not be masked'); return; }
      if (this.buffer.length < off + len) return;
      const payload = this.buffer.subarray(off, off + len);
      this.buffer = this.buffer.subarray(off + len);
      this._opcode(fin, opcode, Buffer.from(payload));
      if (this.readyState === 3) return;
    }
  }

  _opcode(fin, opcode, payload) {
    if (opcode === 0x1 || opcode === 0x0) {
      this.parts.push(payload);
      if (!fin) return;
      const data = Buffer.concat(this.parts).toString('utf8');
      this.parts = [];
      record('ws_msgs_received', 'counter', 1);
      this._emit('message', { type: 'message', data });
    } else if (opcode === 0x8) {
      const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      const reason = payload.subarray(2).toString('utf8');
      if (this.readyState === 1) { this.readyState = 2; this._frame(0x8, payload.subarray(0, 2)); }
      this._closed(code, reason);
    } else if (opcode === 0x9) {
      if (this.readyState === 1) this._frame(0xa, payload);
      this._emit('ping', { type: 'ping' });
    } else if (opcode === 0xa) {
      this._emit('pong', { type: 'pong' });
    } else {
      this._fail(`unexpected opcode ${opcode}`);
    }
  }
}

export default { WebSocket };
