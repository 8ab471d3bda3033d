import { EventEmitter } from 'eventemitter3';
import { asyncDispose } from '../dispose.js';
import { CONSOLE_SERVER_TYPES } from '../protocol/console-types.js';
import { backoffDelay, type ReconnectOptions, resolveReconnect } from './backoff.js';
import { describeClientError } from './error-messages.js';

/**
 * An event-handler slot. Declared through a method so its parameter is checked bivariantly: the DOM's, Node's
 * (undici's) and `ws`'s WebSocket each type their events differently, and all of them must fit.
 */
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

/** The subset of the WebSocket API the client needs: the browser's, Node's global one (Node 22+), or `ws`'s. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ data: unknown }> | null;
  onclose: Handler<{ code: number; reason: string }> | null;
  onerror: Handler<unknown> | null;
}

/**
 * A WebSocket constructor: `globalThis.WebSocket` (browsers, Node 22+, Deno, Bun) or `WebSocket` from `ws`.
 *
 * @example
 * import { WebSocket } from 'ws';
 * const client = new SignalingClient('ws://127.0.0.1:3000/signal', { WebSocket });
 */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

/** A frame relayed from another peer: its type, sender and payload, and the whole frame as sent. */
export interface SignalMessage {
  readonly type: string;
  readonly from: string;
  /** `offer`, `answer` or `candidate` for the three WebRTC types; the frame's `data` otherwise. */
  readonly data: unknown;
  readonly message: Readonly<Record<string, unknown>>;
}

/**
 * An error the server answered with (`room-full`, `rate-limit`, ...), or one of the client's own: `closed`,
 * `connect-failed` (a connection that never opened), `connection-lost` (an open one that dropped),
 * `connect-timeout`, `join-timeout`, `not-connected`, `superseded`, `replaced` (our id connected again elsewhere,
 * e.g. in another tab: the client closes instead of taking it back). Switch on `code`; `message` says it in words.
 */
export class SignalingClientError extends Error {
  override readonly name = 'SignalingClientError';
  constructor(
    readonly code: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(describeClientError(code, details));
  }
}

/** Options of {@link SignalingClient.connect} and {@link SignalingClient.join}. */
export interface CallOptions {
  /** Stops waiting when aborted: the call rejects with the signal's reason (connect also stops connecting). */
  signal?: AbortSignal;
}

/** An ICE server the signaling server sent (TURN credentials bound to our id), ready for `RTCConfiguration`. */
export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/** The events of {@link SignalingClient}. */
export interface SignalingClientEvents {
  /** Connected (again) and given an id; `resumed` when the server kept our identity. */
  open: (event: { id: string; resumed: boolean }) => void;
  /** The server assigned our id. */
  id: (id: string) => void;
  /** The server sent ICE servers (TURN credentials bound to our id). */
  'ice-servers': (iceServers: IceServer[]) => void;
  /** We are in `room`, with these other peers. */
  joined: (event: { room: string; peers: readonly string[] }) => void;
  /** We left `room` (`reason`: `kicked` or `ended` when the server did it). */
  left: (event: { room: string; reason?: string }) => void;
  /** The room's other peers changed; the full current list. */
  peers: (peers: readonly string[]) => void;
  'peer-joined': (peerId: string) => void;
  'peer-left': (peerId: string) => void;
  /** Any frame relayed from another peer. */
  signal: (signal: SignalMessage) => void;
  offer: (event: { from: string; offer: unknown }) => void;
  answer: (event: { from: string; answer: unknown }) => void;
  candidate: (event: { from: string; candidate: unknown }) => void;
  /** An application message from another peer (any relayed type but the three WebRTC ones). */
  message: (signal: SignalMessage) => void;
  /** A message from the server's code (`signaling.send`, `signaling.broadcast`): `data` as the server sent it. */
  'server-message': (data: unknown) => void;
  /** The server answered an error, or the connection failed. */
  error: (error: SignalingClientError) => void;
  /** The connection dropped; the next attempt starts in `delay` ms. */
  reconnecting: (event: { attempt: number; delay: number }) => void;
  /** The client is closed for good (by `close()`). */
  close: () => void;
}

/** Options of {@link SignalingClient}. */
export interface SignalingClientOptions {
  /** A room to join as soon as we are connected (and again after every reconnect). */
  room?: string;
  /** The WebSocket implementation. @default globalThis.WebSocket */
  WebSocket?: WebSocketConstructor;
  /** Reconnect with exponential backoff and jitter; `false` turns it off. @default true */
  reconnect?: boolean | ReconnectOptions;
  /** Resume our identity with the server's resume token after a reconnect. @default true */
  resume?: boolean;
  /** How long `join()` and `connect()` wait for their answer before rejecting. @default 10000 */
  timeout?: number;
}

const WEBRTC_FIELDS: Readonly<Record<string, string>> = { offer: 'offer', answer: 'answer', 'ice-candidate': 'candidate' };
/** The server's close code for a connection whose id connected again elsewhere (`REPLACED_CLOSE_CODE`). */
const REPLACED = 4001;

const JOIN_ERRORS = new Set(['invalid-room-name', 'room-full', 'forbidden', 'rate-limit', 'too-many-rooms']);
const OPEN = 1;

interface Pending<T> {
  resolve: (value: T) => void;
  reject: (error: SignalingClientError) => void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * A typed client for signalroom's console dialect, for browsers and Node. It learns its id, joins and leaves a
 * room, always knows the room's peers, relays offers, answers, candidates and app messages, and reconnects with
 * backoff, rejoining its room and resuming its identity. It never holds two sockets, and `close()` leaves no
 * timer behind. It connects with `?extensions=1`, so the server sends it a resume token and ICE servers
 * (docs/protocols.md).
 *
 * @example
 * const client = new SignalingClient('wss://signal.example.com', { room: 'standup' });
 * client.on('peer-joined', (peerId) => call(peerId));
 * client.on('offer', ({ from, offer }) => answer(from, offer));
 * await client.connect();
 */
export class SignalingClient extends EventEmitter<SignalingClientEvents> {
  /** Our id, once connected. */
  id: string | undefined;
  /** The room we are in (or rejoin after a reconnect). */
  room: string | undefined;
  /** ICE servers the server sent (TURN credentials), for RTCPeerConnection's `iceServers`. */
  iceServers: IceServer[] | undefined;
  readonly #url: string;
  readonly #options: Required<Omit<SignalingClientOptions, 'room' | 'reconnect'>> & { reconnect: Required<ReconnectOptions> | false };
  #socket: WebSocketLike | undefined;
  #peers: string[] = [];
  #resumeToken: string | undefined;
  #attempt = 0;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  #connecting: Pending<string> | undefined;
  #joining: Pending<readonly string[]> | undefined;
  #joiningRoom: string | undefined;

  constructor(url: string, options: SignalingClientOptions = {}) {
    super();
    this.#url = url;
    this.room = options.room;
    const WebSocketImpl = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (WebSocketImpl === undefined) throw new TypeError('no WebSocket implementation: pass options.WebSocket');
    this.#options = {
      WebSocket: WebSocketImpl,
      resume: options.resume ?? true,
      timeout: options.timeout ?? 10_000,
      reconnect: options.reconnect === false ? false : resolveReconnect(options.reconnect === true ? {} : options.reconnect),
    };
  }

  /** The other peers in our room, in join order. */
  get peers(): readonly string[] {
    return this.#peers;
  }

  /** Whether the socket is open and we have our id. */
  get connected(): boolean {
    return this.#socket?.readyState === OPEN && this.id !== undefined;
  }

  /**
   * Opens the connection; resolves with our id. Calling it while connected resolves at once; after `close()` it
   * opens again. While it waits, failed attempts are retried (see `reconnect`) until `timeout`.
   *
   * @example
   * await client.connect({ signal: AbortSignal.timeout(5_000) });
   */
  connect(options: CallOptions = {}): Promise<string> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.connected) return Promise.resolve(this.id as string);
    if (this.#connecting !== undefined) {
      return withAbort(new Promise((resolve, reject) => this.once('open', ({ id }) => resolve(id)).once('error', reject)), signal);
    }
    this.#closed = false;
    const promise = this.#pending<string>((pending) => (this.#connecting = pending), 'connect-timeout', { url: this.#url });
    this.#open();
    return withAbort(promise, signal, () => {
      // Aborted before the server gave us an id: stop connecting, as fetch stops fetching.
      this.#connecting = undefined;
      clearTimeout(this.#reconnectTimer);
      this.#reconnectTimer = undefined;
      this.#dropSocket(1000, 'connect aborted');
    });
  }

  /**
   * Joins `room` (leaving the current one); resolves with the room's other peers, or rejects with the server's
   * code (`room-full`, `forbidden`, ...). After `close()` it rejects at once with `closed`. An aborted join only
   * stops waiting: the server may still let us in (then `joined` is emitted; `leave()` leaves).
   */
  join(room: string, options: CallOptions = {}): Promise<readonly string[]> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#closed) return Promise.reject(new SignalingClientError('closed', { room }));
    this.room = room;
    this.#joining?.reject(new SignalingClientError('superseded', { room: this.#joiningRoom }));
    const promise = this.#pending<readonly string[]>((pending) => (this.#joining = pending), 'join-timeout', { room });
    const pending = this.#joining;
    this.#joiningRoom = room;
    if (this.connected) this.#send({ type: 'join-room', room });
    return withAbort(promise, signal, () => {
      if (this.#joining === pending) this.#joining = undefined;
    });
  }

  /** Leaves the current room. */
  leave(): void {
    this.room = undefined;
    this.#setPeers([]);
    if (this.connected) this.#send({ type: 'leave-room' });
  }

  sendOffer(to: string, offer: unknown): void {
    this.#send({ type: 'offer', to, offer });
  }

  sendAnswer(to: string, answer: unknown): void {
    this.#send({ type: 'answer', to, answer });
  }

  sendCandidate(to: string, candidate: unknown): void {
    this.#send({ type: 'ice-candidate', to, candidate });
  }

  /** Sends an application message of `type` to one peer, or to the whole room when `to` is `undefined`. */
  send(type: string, data: unknown, to?: string): void {
    this.#send(to === undefined ? { type, data } : { type, to, data });
  }

  /** Closes for good: no reconnect, no timer left, pending calls rejected. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    this.#dropSocket(1000, 'client closed');
    const closed = new SignalingClientError('closed');
    this.#connecting?.reject(closed);
    this.#joining?.reject(closed);
    this.emit('close');
  }

  /** `await using client = new SignalingClient(...)` closes it when the scope ends. */
  async [asyncDispose](): Promise<void> {
    this.close();
  }

  /** Drops the current socket and connects again now (never two sockets at once). */
  reconnect(): void {
    if (this.#closed) return;
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    this.#dropSocket(4000, 'client reconnecting');
    this.#open();
  }

  // ---- compatible with the original P2PSignalingClient --------------------------------------------------

  /** Runs `callback` once connected (at once if already connected). */
  whenConnected(callback: (id: string) => void): void {
    if (this.connected) callback(this.id as string);
    else this.once('open', ({ id }) => callback(id));
  }

  /** The original client's name for {@link SignalingClient.join}. */
  joinRoom(room: string): Promise<readonly string[]> {
    return this.join(room);
  }

  /** The original client's name for {@link SignalingClient.leave}. */
  leaveRoom(): void {
    this.leave();
  }

  // ---- internals ---------------------------------------------------------------------------------------

  #open(): void {
    // Ask for signalroom's extensions (resume token, ICE servers, error codes); see docs/protocols.md.
    const base = withQuery(this.#url, 'extensions', '1');
    const url = this.#options.resume && this.#resumeToken !== undefined ? withQuery(base, 'resume', this.#resumeToken) : base;
    let socket: WebSocketLike;
    try {
      socket = new this.#options.WebSocket(url);
    } catch (error) {
      this.emit('error', new SignalingClientError('connect-failed', { url: this.#url, cause: String(error) }));
      return this.#scheduleReconnect();
    }
    this.#socket = socket;
    const previousId = this.id;
    let opened = false;
    socket.onopen = () => (opened = true);
    socket.onmessage = (event) => this.#receive(String(event.data), previousId);
    socket.onerror = () => {};
    socket.onclose = (event) => {
      if (this.#socket !== socket) return;
      this.#socket = undefined;
      if (this.#closed) return;
      // A socket that never opened is a failed attempt (wrong URL, server down, refused upgrade), not a drop.
      const details = { url: this.#url, code: event.code, reason: event.reason };
      if (event.code === REPLACED) {
        // Our id connected again elsewhere (another tab): the newest wins. Reconnecting would replace it in turn.
        this.emit('error', new SignalingClientError('replaced', details));
        return this.close();
      }
      this.emit('error', new SignalingClientError(opened ? 'connection-lost' : 'connect-failed', details));
      this.#scheduleReconnect();
    };
  }

  #receive(text: string, previousId: string | undefined): void {
    let frame: Record<string, unknown>;
    try {
      frame = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return;
    }
    if (frame === null || typeof frame !== 'object') return;
    const type = frame.type;
    switch (type) {
      case 'id': {
        this.id = String(frame.id);
        this.#attempt = 0;
        this.emit('id', this.id);
        const resumed = previousId !== undefined && previousId === this.id;
        this.#connecting?.resolve(this.id);
        this.#connecting = undefined;
        this.emit('open', { id: this.id, resumed });
        // After a reconnect, and for a room given up front: (re)join. On a resumed identity the server answers
        // with the room's state and nobody sees us leave or join.
        if (this.room !== undefined) {
          if (this.#joining === undefined) void this.join(this.room).catch(() => {});
          else this.#send({ type: 'join-room', room: this.room });
        }
        return;
      }
      case 'resume-token':
        this.#resumeToken = String(frame.token);
        return;
      case 'ice-servers':
        this.iceServers = Array.isArray(frame.iceServers) ? (frame.iceServers as IceServer[]) : undefined;
        if (this.iceServers !== undefined) this.emit('ice-servers', this.iceServers);
        return;
      case 'room-joined':
        return;
      case 'room-peers': {
        const peers = Array.isArray(frame.peers) ? frame.peers.map(String) : [];
        this.#setPeers(peers);
        this.#joining?.resolve(peers);
        this.#joining = undefined;
        if (this.room !== undefined) this.emit('joined', { room: this.room, peers });
        return;
      }
      case 'room-left': {
        const room = String(frame.room);
        if (typeof frame.reason === 'string' && room === this.room) this.room = undefined;
        if (this.room === undefined || this.room !== room) this.#setPeers([]);
        this.emit('left', typeof frame.reason === 'string' ? { room, reason: frame.reason } : { room });
        return;
      }
      case 'peer-joined': {
        const peerId = String(frame.peerId);
        if (!this.#peers.includes(peerId)) this.#setPeers([...this.#peers, peerId]);
        this.emit('peer-joined', peerId);
        return;
      }
      case 'peer-left': {
        const peerId = String(frame.peerId);
        this.#setPeers(this.#peers.filter((id) => id !== peerId));
        this.emit('peer-left', peerId);
        return;
      }
      case 'error': {
        const code = String(frame.code ?? frame.message);
        const { type: _type, message: _message, code: _code, ...details } = frame;
        const error = new SignalingClientError(code, details);
        if (this.#joining !== undefined && JOIN_ERRORS.has(code)) {
          this.#joining.reject(error);
          this.#joining = undefined;
        }
        this.emit('error', error);
        return;
      }
      case 'server-message':
        this.emit('server-message', frame.data);
        return;
      default:
        if (typeof type === 'string' && !CONSOLE_SERVER_TYPES.has(type)) this.#relayed(type, frame);
    }
  }

  #relayed(type: string, frame: Record<string, unknown>): void {
    const from = String(frame.from);
    const field = WEBRTC_FIELDS[type];
    const signal: SignalMessage = { type, from, data: field !== undefined ? frame[field] : frame.data, message: frame };
    this.emit('signal', signal);
    if (type === 'offer') this.emit('offer', { from, offer: frame.offer });
    else if (type === 'answer') this.emit('answer', { from, answer: frame.answer });
    else if (type === 'ice-candidate') this.emit('candidate', { from, candidate: frame.candidate });
    else this.emit('message', signal);
  }

  #setPeers(peers: string[]): void {
    this.#peers = peers;
    this.emit('peers', peers);
  }

  #send(frame: Record<string, unknown>): void {
    if (this.#socket?.readyState !== OPEN) throw new SignalingClientError(this.#closed ? 'closed' : 'not-connected', { type: frame.type });
    this.#socket.send(JSON.stringify(frame));
  }

  #scheduleReconnect(): void {
    const reconnect = this.#options.reconnect;
    if (this.#closed || reconnect === false || this.#reconnectTimer !== undefined) return;
    this.#attempt++;
    if (this.#attempt > reconnect.maxAttempts) {
      this.#connecting?.reject(new SignalingClientError('connect-failed', { url: this.#url, attempts: this.#attempt - 1 }));
      this.#connecting = undefined;
      return;
    }
    const delay = backoffDelay(this.#attempt, reconnect);
    this.emit('reconnecting', { attempt: this.#attempt, delay });
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      this.#open();
    }, delay);
  }

  /** Closes the current socket with its handlers detached first, so it can never call back. */
  #dropSocket(code: number, reason: string): void {
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket === undefined) return;
    socket.onopen = socket.onmessage = socket.onclose = null;
    // A no-op, not null: `ws` reports closing a socket that is still connecting as an 'error' event, and an
    // EventEmitter error with no listener would throw.
    socket.onerror = () => {};
    try {
      socket.close(code, reason);
    } catch {
      // Closing a socket that never opened may throw in some implementations; it is gone either way.
    }
  }

  #pending<T>(store: (pending: Pending<T> | undefined) => void, timeoutCode: string, details: Record<string, unknown>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        store(undefined);
        reject(new SignalingClientError(timeoutCode, { ...details, timeout: this.#options.timeout }));
      }, this.#options.timeout);
      store({
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
        timer,
      });
    });
  }
}

/** Rejects with the signal's reason when it aborts first (and runs `onAbort`); the listener never outlives the call. */
function withAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined, onAbort?: () => void): Promise<T> {
  if (signal === undefined) return promise;
  return new Promise<T>((resolve, reject) => {
    const abort = () => {
      onAbort?.();
      reject(signal.reason);
    };
    signal.addEventListener('abort', abort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', abort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(error);
      },
    );
  });
}

function withQuery(url: string, key: string, value: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}${key}=${encodeURIComponent(value)}`;
}
