import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { Dialect, DialectName } from '../protocol/dialect.js';
import { createDialects } from '../protocol/dialects.js';
import { SessionSocket } from './session-socket.js';
import { flushHeldFrames } from './session.js';

/** Who a connecting client is, as `authenticate` (or a signed token) decides. */
export interface Identity<Data = unknown> {
  /** The peer id to use. @default a generated id */
  readonly id?: string;
  /** Application data kept on the peer (`PeerInfo.data`). */
  readonly data?: Data;
  /** The only rooms it may join. @default every room */
  readonly rooms?: readonly string[];
}

/** The handshake's verdict: who connects (and the resume token it brought), or the HTTP status that refuses it. */
export interface Admission {
  readonly identity: Identity;
  readonly resume?: string | undefined;
  /**
   * Whether the client asked for extensions: `?extensions=1`, or a `?resume=` token (only our clients have one).
   * Without them a connection is treated exactly as its original would treat it.
   */
  readonly extensions: boolean;
  readonly refuse?: 401 | 403;
  readonly reason: string;
}

/** What an upgrade gate needs to know: the socket limits and how dialects are chosen. */
export interface UpgradeOptions {
  readonly maxMessageSize: number;
  readonly maxDepth: number;
  /** The dialect of a path not in `dialects` whose client offers none of our subprotocols. */
  readonly dialect: DialectName;
  /** Dialects by upgrade path. */
  readonly dialects: Readonly<Record<string, DialectName>>;
}

/** What the gate asks of the server it belongs to. */
export interface UpgradeHost {
  /** Whether upgrades are taken now (not closing; in a cluster, started). */
  accepting(): boolean;
  /** Decides who connects (origin, token, `authenticate`), before any peer state exists. */
  admit(request: IncomingMessage): Admission | Promise<Admission>;
  /** A socket is upgraded: `codec` is `dialect` as this connection writes it (with our additions if it asked). */
  accept(socket: SessionSocket, stream: Duplex, dialect: Dialect, codec: Dialect, admission: Admission, request: IncomingMessage): void;
  reportError(error: unknown): void;
}

/**
 * Turns HTTP upgrade requests into WebSocket connections: it refuses what may not connect (503 while not
 * accepting, the admission's 401/403), chooses each connection's dialect once, and hands the socket on.
 */
export class UpgradeGate {
  readonly #wss: WebSocketServer;
  readonly #dialects: ReadonlyMap<DialectName, Dialect>;
  /** The same dialects for connections that asked for extensions (they may add fields to frames). */
  readonly #extendedDialects: ReadonlyMap<DialectName, Dialect>;
  readonly #bySubprotocol: ReadonlyMap<string, Dialect>;
  /**
   * The dialect chosen for the request ws is upgrading right now, so the subprotocol echoed is the one it was
   * chosen by: ws asks for it (handleProtocols) within handleUpgrade, as it has no verifyClient to wait for.
   */
  #upgrading: Dialect | undefined;
  /** Upgrade sockets whose admission (an async `authenticate` or token check) is still running. */
  readonly #pending = new Set<Duplex>();
  #closed = false;

  constructor(
    private readonly options: UpgradeOptions,
    private readonly host: UpgradeHost,
  ) {
    this.#dialects = createDialects({ maxDepth: options.maxDepth });
    this.#extendedDialects = createDialects({ maxDepth: options.maxDepth, extensions: true });
    this.#bySubprotocol = new Map([...this.#dialects.values()].map((dialect) => [dialect.subprotocol, dialect]));
    this.#wss = new WebSocketServer({
      noServer: true,
      // The heartbeat and shutdown walk the server's own session set; ws need not track clients too.
      clientTracking: false,
      maxPayload: options.maxMessageSize,
      // Compression invites zip bombs and fragments memory; signaling frames are small.
      perMessageDeflate: false,
      // Sessions answer pings themselves, paid from their message budget: ws's own pong costs each socket a
      // closure (about 100 bytes of an idle connection's 5 KB).
      autoPong: false,
      // Each client's socket hands its frames to its session directly (see SessionSocket).
      WebSocket: SessionSocket,
      handleProtocols: (offered) => this.#subprotocolToEcho(offered),
    });
  }

  /** The plain codec of a dialect (what a signal relayed from another node is decoded with again). */
  codec(name: DialectName): Dialect | undefined {
    return this.#dialects.get(name);
  }

  /**
   * Takes over an HTTP upgrade request: refuses it, or authenticates it and upgrades it. Synchronous when no
   * async check is configured, so ws takes the socket (and its errors) at once.
   */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (!this.host.accepting()) return rejectUpgrade(socket, 503, 'Service Unavailable');
    const admission = this.host.admit(request);
    if (!(admission instanceof Promise)) return this.#upgrade(request, socket, head, admission);
    // While authentication runs, a socket reset must not become an uncaught 'error'.
    socket.on('error', destroySocket);
    this.#pending.add(socket);
    admission.then(
      (result) => {
        this.#pending.delete(socket);
        socket.off('error', destroySocket);
        this.#upgrade(request, socket, head, result);
      },
      (error: unknown) => {
        this.#pending.delete(socket);
        this.host.reportError(error);
        rejectUpgrade(socket, 500, 'Internal Server Error');
      },
    );
  }

  /** Answers upgrades still being authenticated with 503 now (not a reset when their check ends) and takes no more. */
  refusePending(): void {
    this.#closed = true;
    for (const socket of this.#pending) rejectUpgrade(socket, 503, 'Service Unavailable');
    this.#pending.clear();
  }

  /** Closes the ws server (its connections are the server's to close). */
  close(): Promise<void> {
    this.refusePending();
    return new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  #upgrade(request: IncomingMessage, socket: Duplex, head: Buffer, admission: Admission): void {
    // Gone, or already answered (closing answers pending upgrades itself).
    if (socket.destroyed || !socket.writable) return;
    if (this.#closed || !this.host.accepting()) return rejectUpgrade(socket, 503, 'Service Unavailable');
    if (admission.refuse !== undefined) return rejectUpgrade(socket, admission.refuse, admission.reason);
    const dialect = this.#choose(request);
    this.#upgrading = dialect;
    // The 101 answer waits for the frames the new connection sends at once (its id): they leave in one write,
    // not two.
    socket.cork();
    try {
      this.#wss.handleUpgrade(request, socket, head, (ws) => {
        const codec = admission.extensions ? (this.#extendedDialects.get(dialect.name) as Dialect) : dialect;
        this.host.accept(ws as SessionSocket, socket, dialect, codec, admission, request);
      });
    } finally {
      this.#upgrading = undefined;
      flushHeldFrames();
      socket.uncork();
    }
  }

  /** docs/protocols.md: an offered subprotocol of ours wins, then the path map, then the server default. */
  #choose(request: IncomingMessage): Dialect {
    const offered = request.headers['sec-websocket-protocol'];
    if (offered !== undefined) {
      for (const protocol of offered.split(',')) {
        const dialect = this.#bySubprotocol.get(protocol.trim());
        if (dialect !== undefined) return dialect;
      }
    }
    const path = pathnameOf(request);
    const byPath = Object.hasOwn(this.options.dialects, path) ? this.options.dialects[path] : undefined;
    return this.#dialects.get(byPath ?? this.options.dialect) as Dialect;
  }

  /**
   * The subprotocol of the dialect chosen by it; when none of ours was offered, the first one offered, as ws (and
   * so the Console Viewer original) does by default.
   */
  #subprotocolToEcho(offered: ReadonlySet<string>): string | false {
    const chosen = this.#upgrading;
    if (chosen !== undefined && offered.has(chosen.subprotocol)) return chosen.subprotocol;
    return offered.values().next().value ?? false;
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
  // The HTTP server no longer watches an upgrade socket: a reset while answering must not crash the process.
  if (socket.listenerCount('error') === 0) socket.on('error', destroySocket);
  if (!socket.writable) return void socket.destroy();
  // Destroy only once the answer is flushed, or the client sees a reset instead of the status.
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
  );
}

function destroySocket(this: Duplex): void {
  this.destroy();
}
