// The demo chat page: direct chat over /ws with the Courier JavaScript client (js/courier.js).
import { CourierClient } from './js/courier.js';

const $ = (id) => document.getElementById(id);
const TOKEN_KEY = 'courier-demo:token';
const PRESENCE_POLL_MS = 3000;

function subOf(token) {
  const part = token.split('.')[1];
  if (!part) throw new Error('not a JWT');
  const json = atob(part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '='));
  const sub = JSON.parse(json).sub;
  if (typeof sub !== 'string' || !sub) throw new Error('token has no sub');
  return sub;
}

let me = null;
let client = null;
let data = null; // {contacts: [], rooms: [], chats: {key: [msg]}, unread: {key: n}}
let current = null; // 'u:<id>' or 'r:<room>'
let presence = {};
let countdown = null;
let pollTimer = null;

const dataKey = () => `courier-demo:${me}`;
const save = () => localStorage.setItem(dataKey(), JSON.stringify(data));

function load() {
  try {
    data = JSON.parse(localStorage.getItem(dataKey())) || null;
  } catch {
    data = null;
  }
  data = data || {};
  data.contacts ??= [];
  data.rooms ??= [];
  data.chats ??= {};
  data.unread ??= {};
}

function signIn(token) {
  me = subOf(token);
  sessionStorage.setItem(TOKEN_KEY, token);
  load();
  $('signin').hidden = true;
  $('chat').hidden = false;
  $('signout').hidden = false;
  $('me').textContent = `Signed in as ${me}`;
  client = new CourierClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`,
    getToken: async () => sessionStorage.getItem(TOKEN_KEY),
    storageKey: `courier:${me}`,
    pingIntervalMs: 10000,
    pongTimeoutMs: 5000,
  });
  window.courierDemo = { client, me, data: () => data };
  client.on('state', renderState);
  client.on('queue', () => renderState(client.state));
  client.on('message', onMessage);
  client.on('sent', (r) => setStatus(r.id, 'sent'));
  client.on('send_failed', ({ id, error }) => setStatus(id, `failed: ${error.code}`));
  client.on('presence_changed', (p) => {
    presence[p.user] = { online: p.online, devices: p.devices };
    renderContacts();
  });
  client.on('state', (s) => {
    if (s.state === 'connected') {
      pollPresence();
      client.watch(data.contacts).catch(() => {}); // not offered everywhere: polling covers it
    }
  });
  client.connect();
  pollTimer = setInterval(pollPresence, PRESENCE_POLL_MS);
  renderContacts();
  renderRooms();
  if (data.contacts.length) select(`u:${data.contacts[0]}`);
}

function signOut() {
  client?.close();
  clearInterval(pollTimer);
  sessionStorage.removeItem(TOKEN_KEY);
  location.reload();
}

// ---- connection state ------------------------------------------------------------------------

function renderState(s) {
  const el = $('conn');
  clearInterval(countdown);
  const queued = client ? client.pending().length : 0;
  const q = queued ? ` · ${queued} queued` : '';
  el.className = `conn ${s.state}`;
  el.dataset.state = s.state;
  el.dataset.queued = String(queued);
  renderContacts();
  if (s.state === 'reconnecting') {
    const tick = () => {
      const secs = Math.max(0, Math.ceil((s.retryAt - Date.now()) / 1000));
      el.textContent = `reconnecting in ${secs} s${q}`;
    };
    tick();
    countdown = setInterval(tick, 250);
  } else {
    el.textContent = { connected: 'connected', connecting: 'connecting…', offline: 'offline', closed: 'signed out' }[s.state]
      + q;
  }
}

// ---- messages --------------------------------------------------------------------------------

function chat(key) {
  data.chats[key] ??= [];
  return data.chats[key];
}

function addContact(id) {
  if (id && id !== me && !data.contacts.includes(id)) {
    data.contacts.push(id);
    save();
    renderContacts();
    pollPresence();
  }
}

function onMessage(m) {
  const body = m.body && typeof m.body === 'object' ? m.body : { text: String(m.body) };
  if (body.kind === 'receipt') {
    // Our message reached the other side's page (see docs/protocol.md, demo page receipts).
    setStatus(body.for, 'delivered');
    return;
  }
  const mine = m.from === me;
  const key = m.room ? `r:${m.room}` : `u:${mine ? m.to : m.from}`;
  if (!m.room) addContact(mine ? m.to : m.from);
  const list = chat(key);
  if (list.some((x) => x.id === m.id && x.from === m.from)) return; // replay after a reload
  list.push({ id: m.id, from: m.from, mine, text: body.text ?? JSON.stringify(body), ts: m.ts, status: 'received' });
  if (key !== current) data.unread[key] = (data.unread[key] || 0) + 1;
  save();
  if (!mine && !m.room) {
    const rid = `rc-${m.from}-${m.id}`;
    if (rid.length <= 64) client.send(m.from, { kind: 'receipt', for: m.id }, { id: rid }).catch(() => {});
  }
  renderContacts();
  if (key === current) renderMessages();
}

function setStatus(id, status) {
  for (const list of Object.values(data.chats)) {
    const msg = list.find((x) => x.mine && x.id === id);
    if (msg) {
      if (msg.status === 'delivered' && status === 'sent') return;
      msg.status = status;
      save();
      renderMessages();
      return;
    }
  }
}

function sendText(text) {
  if (!current || !text) return;
  const id = crypto.randomUUID();
  const target = current.slice(2);
  chat(current).push({ id, from: me, mine: true, text, ts: Date.now(), status: 'queued' });
  save();
  renderMessages();
  const p = current.startsWith('r:')
    ? client.sendToRoom(target, { text }, { id })
    : client.send(target, { text }, { id });
  p.catch(() => {});
}

// ---- presence and rooms ----------------------------------------------------------------------

async function pollPresence() {
  if (!client || client.state.state !== 'connected' || !data.contacts.length) return;
  try {
    const users = await client.presence(data.contacts);
    presence = { ...presence, ...users };
    renderContacts();
  } catch {
    /* next poll */
  }
}

async function joinRoom(room) {
  const note = $('rooms-note');
  try {
    await client.join(room);
    if (!data.rooms.includes(room)) data.rooms.push(room);
    save();
    note.textContent = '';
    renderRooms();
    select(`r:${room}`);
  } catch (e) {
    note.textContent = e.code === 'forbidden'
      ? `Could not join ${room}: ${e.message || 'not allowed by your token, or a room limit was reached'}`
      : `Could not join ${room}: ${e.code || e.message}`;
  }
}

// ---- rendering -------------------------------------------------------------------------------

function select(key) {
  current = key;
  delete data.unread[key];
  save();
  $('peer').textContent = key.startsWith('r:') ? `# ${key.slice(2)}` : `Chat with ${key.slice(2)}`;
  $('text').disabled = false;
  $('send').disabled = false;
  renderContacts();
  renderRooms();
  renderMessages();
}

function renderContacts() {
  const ul = $('contacts');
  if (!data) return;
  ul.replaceChildren(...data.contacts.map((id) => {
    const li = document.createElement('li');
    li.dataset.user = id;
    li.className = current === `u:${id}` ? 'active' : '';
    const dot = document.createElement('span');
    // While this page is not connected the last answer may be stale: show no one as online.
    const online = client?.state.state === 'connected' && presence[id]?.online;
    dot.className = `dot${online ? ' online' : ''}`;
    dot.dataset.testid = 'presence';
    dot.title = online ? `online (${presence[id].devices} device${presence[id].devices === 1 ? '' : 's'})` : 'offline';
    li.dataset.online = String(!!online);
    const name = document.createElement('span');
    name.textContent = id;
    li.append(dot, name);
    const unread = data.unread[`u:${id}`];
    if (unread) {
      const b = document.createElement('span');
      b.className = 'badge';
      b.textContent = unread;
      li.append(b);
    }
    li.onclick = () => select(`u:${id}`);
    return li;
  }));
}

function renderRooms() {
  $('rooms').replaceChildren(...data.rooms.map((room) => {
    const li = document.createElement('li');
    li.className = current === `r:${room}` ? 'active' : '';
    li.textContent = `# ${room}`;
    li.onclick = () => select(`r:${room}`);
    return li;
  }));
}

function renderMessages() {
  const ol = $('messages');
  const list = current ? chat(current) : [];
  ol.replaceChildren(...list.map((m) => {
    const li = document.createElement('li');
    li.className = m.mine ? 'mine' : '';
    li.dataset.id = m.id;
    li.dataset.status = m.status;
    const text = document.createElement('span');
    text.className = 'text';
    text.textContent = m.text;
    const meta = document.createElement('span');
    meta.className = 'meta';
    meta.textContent = `${current.startsWith('r:') && !m.mine ? `${m.from} · ` : ''}${new Date(m.ts).toLocaleTimeString()}`;
    li.append(text, meta);
    if (m.mine) {
      const tick = document.createElement('span');
      tick.className = `tick ${m.status}`;
      tick.textContent = { queued: '◷', sent: '✓', delivered: '✓✓' }[m.status] ?? '⚠';
      tick.title = m.status;
      li.append(tick);
    }
    return li;
  }));
  ol.scrollTop = ol.scrollHeight;
}

// ---- wiring ----------------------------------------------------------------------------------

$('signin-btn').onclick = () => {
  try {
    signIn($('token').value.trim());
  } catch (e) {
    $('signin-error').textContent = `Not a usable token: ${e.message}`;
  }
};
$('signout').onclick = signOut;
$('add-contact').onsubmit = (e) => {
  e.preventDefault();
  const id = $('contact-input').value.trim();
  if (id) {
    addContact(id);
    select(`u:${id}`);
    $('contact-input').value = '';
  }
};
$('join-room').onsubmit = (e) => {
  e.preventDefault();
  const room = $('room-input').value.trim();
  if (room) joinRoom(room);
};
$('composer').onsubmit = (e) => {
  e.preventDefault();
  sendText($('text').value.trim());
  $('text').value = '';
};

const saved = sessionStorage.getItem(TOKEN_KEY);
if (saved) {
  try {
    signIn(saved);
  } catch {
    sessionStorage.removeItem(TOKEN_KEY);
  }
}
