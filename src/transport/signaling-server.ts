import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { SignalingCore } from '../core/core.js';
import type { Command, SignalingEvents, StatusReport } from '../core/types.js';
import type { Dialect, DialectName } from '../protocol/dialect.js';
import { createDialects } from '../protocol/dialects.js';
import { resolveSignalingOptions, type ResolvedSignalingOptions, type SignalingOptions } from './options.js';
import { WsConnection } from './ws-connection.js';

const INVALID_MESSAGE: Command = { kind: 'error', code: 'invalid-message' };

/** How long {@link SignalingServer.close} waits for clients to answer the close handshake before cutting them. */
const CLOSE_GRACE_MS = 2_000;

/**
 * A signaling endpoint that is not yet wired to any HTTP server: it owns a {@link SignalingCore} and a `ws`
 * server, and accepts sockets through {@link SignalingServer.handleUpgrade}, the one primitive every adapter
 * wires up. Use {@link attachSignaling} (or the Express and Fastify adapters) rather than constructing it.
 */
export class SignalingServer {
  /** The core: peers, rooms and the server-side API (`kick`, `endRoom`, `send`, `broadcast`, ...). */
  readonly core: SignalingCore;
  /** The resolved options, defaults filled in. */
  readonly options: Readonly<ResolvedSignalingOptions>;
  readonly #wss: WebSocketServer;
  readonly #dialects: ReadonlyMap<DialectName, Dialect>;
  readonly #bySubprotocol: ReadonlyMap<string, Dialect>;
  readonly #onClose: () => void;
  #closed: Promise<void> | undefined;

  /** @param onClose runs once when the server closes, to detach it from whatever it was attached to. */
  constructor(options: SignalingOptions = {}, onClose: () => void = () => {}) {
    this.options = Object.freeze(resolveSignalingOptions(options));
    this.core = new SignalingCore(this.options);
    this.#onClose = onClose;
    this.#dialects = createDialects({ maxDepth: this.options.maxDepth });
    this.#bySubprotocol = new Map([...this.#dialects.values()].map((dialect) => [dialect.subprotocol, dialect]));
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.options.maxMessageSize,
      // Compression invites zip bombs and fragments memory; signaling frames are small.
      perMessageDeflate: false,
      handleProtocols: (offered) => this.#subprotocolFor(offered)?.subprotocol ?? false,
    });
  }

  /** Subscribes to a core event. Returns this, for chaining. */
  on<E extends keyof SignalingEvents>(event: E, listener: SignalingEvents[E]): this {
    this.core.on(event, listener);
    return this;
  }

  /** Subscribes to the next occurrence of a core event. */
  once<E extends keyof SignalingEvents>(event: E, listener: SignalingEvents[E]): this {
    this.core.once(event, listener);
    return this;
  }

  /** Unsubscribes a listener. */
  off<E extends keyof SignalingEvents>(event: E, listener: SignalingEvents[E]): this {
    this.core.off(event, listener);
    return this;
  }

  /** The `/status` document: every client and every non-empty room. */
  status(): StatusReport {
    return this.core.status();
  }

  /** Whether {@link SignalingServer.close} has been called. */
  get closed(): boolean {
    return this.#closed !== undefined;
  }

  /**
   * Takes over an HTTP upgrade request and turns it into a signaling peer. This is the primitive every adapter
   * wires up; call it from your own `'upgrade'` listener to mount signaling anywhere.
   */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    // A socket reset during the handshake must not become an uncaught 'error'.
    socket.on('error', destroySocket);
    if (this.#closed !== undefined) return rejectUpgrade(socket, 503, 'Service Unavailable');
    const dialect = this.#dialectFor(request);
    this.#wss.handleUpgrade(request, socket, head, (ws) => {
      socket.off('error', destroySocket);
      this.#accept(ws, dialect);
    });
  }

  /**
   * Closes every connection with 1001 (going away), waits for them to finish (at most 2 s, then cuts them) and
   * detaches. Idempotent: every call returns the same promise.
   */
  close(): Promise<void> {
    this.#closed ??= this.#shutdown();
    return this.#closed;
  }

  async #shutdown(): Promise<void> {
    this.#onClose();
    const sockets = [...this.#wss.clients];
    const allClosed = Promise.all(sockets.map((ws) => new Promise((resolve) => ws.once('close', resolve))));
    for (const ws of sockets) ws.close(1001, 'server shutting down');
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        for (const ws of sockets) ws.terminate();
        resolve();
      }, CLOSE_GRACE_MS);
    });
    await Promise.race([allClosed, grace]);
    clearTimeout(timer);
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  #accept(ws: WebSocket, dialect: Dialect): void {
    let closeReason = 'closed';
    // First, before anything can fail: a socket error (an oversized frame, bad UTF-8) closes this socket only.
    ws.on('error', (error: Error & { code?: string }) => {
      closeReason = error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'too-large' : 'error';
    });
    const connection = new WsConnection(ws, dialect);
    const core = this.core;
    const { id } = core.connect(connection, {
      scope: this.options.scope[dialect.name],
      switchRooms: dialect.switchRooms,
      dialect: dialect.name,
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      try {
        core.handle(id, isBinary ? INVALID_MESSAGE : dialect.decode(data.toString()));
      } catch (error) {
        core.reportError(error);
      }
    });
    ws.on('close', () => {
      try {
        core.disconnect(id, this.#closed !== undefined ? 'shutdown' : closeReason);
      } catch (error) {
        core.reportError(error);
      }
    });
  }

  /** PROTOCOLS.md: an offered subprotocol wins, then the path map, then the server default. */
  #dialectFor(request: IncomingMessage): Dialect {
    const offered = request.headers['sec-websocket-protocol'];
    if (offered !== undefined) {
      const fromProtocol = this.#subprotocolFor(new Set(offered.split(',').map((p) => p.trim())));
      if (fromProtocol !== undefined) return fromProtocol;
    }
    const path = pathnameOf(request);
    const byPath = Object.hasOwn(this.options.dialects, path) ? this.options.dialects[path] : undefined;
    return this.#dialects.get(byPath ?? this.options.dialect) as Dialect;
  }

  #subprotocolFor(offered: ReadonlySet<string>): Dialect | undefined {
    for (const protocol of offered) {
      const dialect = this.#bySubprotocol.get(protocol);
      if (dialect !== undefined) return dialect;
    }
    return undefined;
  }
}

/** The path of a request, without its query string. */
export function pathnameOf(request: IncomingMessage): string {
  const url = request.url ?? '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** Answers an upgrade request with a plain HTTP error and closes the socket. */
export function rejectUpgrade(socket: Duplex, status: number, text: string): void {
  if (!socket.writable) return void socket.destroy();
  // Destroy only once the answer is flushed, or the client sees a reset instead of the status.
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
}

function destroySocket(this: Duplex): void {
  this.destroy();
}
