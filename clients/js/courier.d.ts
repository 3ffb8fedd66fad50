// Type declarations for courier.js (Courier protocol v1, docs/protocol.md).

export interface CourierClientOptions {
  /** WebSocket URL of the server, e.g. "wss://chat.example/ws". The token is appended as ?token=. */
  url: string;
  /** Called before every connection attempt and on token_expiring (then sent as an in-band refresh). */
  getToken: () => string | Promise<string>;
  /** A WebSocket constructor with the browser API; default globalThis.WebSocket (browsers, Node 22+). */
  WebSocket?: new (url: string) => WebSocketLike;
  /** localStorage-compatible store for the outbox and the inbox position; default localStorage when usable, null: memory only. */
  storage?: StorageLike | null;
  /** Key under which `storage` keeps this client's state; use one per user. Default "courier". */
  storageKey?: string;
  reconnectBaseMs?: number; // 500
  reconnectCapMs?: number; // 30000
  stableConnectionMs?: number; // 10000
  connectTimeoutMs?: number; // 10000
  pingIntervalMs?: number; // 15000
  pongTimeoutMs?: number; // 10000
  ackDelayMs?: number; // 10
  sendTimeoutMs?: number; // 15000
  sendRetryBaseMs?: number; // 200
  sendRetryCapMs?: number; // 10000
  maxInFlight?: number; // 256
  outboxMaxMessages?: number; // 10000
  maxFrameBytes?: number; // 65536
  maxBufferedAhead?: number; // 10000
  /** Keys (from + id) of delivered messages remembered, to deliver each once across an inbox rollback. */
  maxRecentKeys?: number; // 10000
  gapRepairMs?: number; // 2000
  requestTimeoutMs?: number; // 10000
}

export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export type ConnectionState =
  | { state: 'idle'; queued?: number }
  | { state: 'connecting'; queued: number; attempt: number }
  | { state: 'connected'; queued: number; sessionId: string; nodeId: string }
  | { state: 'reconnecting'; queued: number; delayMs: number; retryAt: number; cause?: string }
  | { state: 'offline'; queued: number; cause?: string }
  | { state: 'closed'; queued: number; cause: string };

export interface InboxMessage {
  type: 'msg';
  seq: number;
  epoch: string;
  id: string;
  from: string;
  to?: string;
  room?: string;
  body: unknown;
  ts: number;
}

export interface SendReceipt {
  id: string;
  ts: number;
  dup: boolean;
}

export type InboxLoss =
  | { kind: 'epoch_reset'; oldEpoch: string; fromSeq: number; newEpoch: string }
  | { kind: 'truncated'; epoch: string; fromSeq: number; toSeq: number }
  /**
   * The inbox went back to an older state in the same epoch (a store restored from a snapshot, a
   * failover to a replica that missed writes). Messages stored after the rollback point that the
   * client had not received (from `fromSeq` on) are gone. Every message the store still holds is
   * then delivered unless one with the same `from` and `id` was delivered recently.
   */
  | { kind: 'rollback'; epoch: string; fromSeq: number };

export interface PresenceEntry {
  online: boolean;
  devices: number;
  since?: number;
}

export interface Welcome {
  type: 'welcome';
  sessionId: string;
  userId: string;
  nodeId: string;
  epoch: string;
  lastSeq: number;
  heartbeatMs: number;
  expiresAt: number;
}

export class CourierError extends Error {
  /** The server's error code (bad_frame, forbidden, unavailable, ...) or outbox_full / too_large. */
  readonly code: string;
}

export interface CourierEvents {
  message: InboxMessage;
  state: ConnectionState;
  sent: SendReceipt;
  send_failed: { id: string; error: CourierError };
  queue: number;
  loss: InboxLoss;
  presence_changed: { type: 'presence_changed'; user: string; online: boolean; devices: number };
  frame: Record<string, unknown>;
  error: unknown;
}

export class CourierClient {
  constructor(options: CourierClientOptions);
  readonly state: ConnectionState;
  readonly epoch: string | null;
  readonly lastSeq: number;
  /** Id and ts of the message at lastSeq (null / 0 when unknown): sent with sync as proof of the position. */
  readonly lastId: string | null;
  readonly lastTs: number;
  on<E extends keyof CourierEvents>(event: E, listener: (value: CourierEvents[E]) => void): () => void;
  /** Starts connecting (and reconnecting until close()); resolves with the first welcome. */
  connect(): Promise<Welcome>;
  /** Queued at once (persisted), written when connected, resent with the same id until `sent`. */
  send(to: string, body: unknown, options?: { id?: string }): Promise<SendReceipt>;
  sendToRoom(room: string, body: unknown, options?: { id?: string }): Promise<SendReceipt>;
  /** A promise for the `sent` of an id queued earlier, e.g. restored from storage after a reload. */
  waitFor(id: string): Promise<SendReceipt>;
  /** Sends waiting for `sent`, oldest first. */
  pending(): Array<{ id: string; to?: string; room?: string; body: unknown }>;
  presence(users: string[]): Promise<Record<string, PresenceEntry>>;
  watch(users: string[]): Promise<Record<string, PresenceEntry>>;
  unwatch(users: string[]): void;
  join(room: string): Promise<void>;
  leave(room: string): Promise<void>;
  /** No more reconnects; waiting send promises reject. The persisted outbox stays for the next client. */
  close(): void;
}
