import { WebSocket } from 'ws';
import type { SignalingCore } from '../core/core.js';
import type { Command, Connection, OutboundEvent } from '../core/types.js';
import type { Dialect } from '../protocol/dialect.js';
import type { ResolvedSignalingOptions } from './options.js';
import { TokenBucket } from './token-bucket.js';

const INVALID_MESSAGE: Command = { kind: 'error', code: 'invalid-message' };
const RATE_LIMITED: Command = { kind: 'error', code: 'rate-limit' };

/** What a session needs from the server that owns it. */
export interface SessionHost {
  readonly core: SignalingCore;
  readonly options: Readonly<ResolvedSignalingOptions>;
  /** The socket has closed; `code` is the close code the client sent (or 1006). */
  sessionClosed(session: Session, code: number): void;
}

const kSession = Symbol('signalroom.session');
type TaggedSocket = WebSocket & { [kSession]: Session };

/**
 * One client socket bound to the core: the core's {@link Connection} port, plus everything per-socket — rate
 * limits, slow-consumer detection, heartbeat state and ordered handling. Listeners are shared functions, not
 * closures, to keep an idle connection small.
 */
export class Session implements Connection {
  /** The peer id, set once the core has registered the peer. */
  peerId = '';
  /** A ping is out and its pong not yet back. */
  awaitingPong = false;
  /** Why the server cut this socket (`'slow-consumer'`, `'heartbeat'`, `'rate-limit'`, ...), if it did. */
  cutReason: string | undefined;
  /** This socket's peer moved to a newer socket (resume); closing it must not touch the peer. */
  retired = false;
  readonly #messages: TokenBucket;
  readonly #joins: TokenBucket;
  #strikes = 0;
  /** Frames that arrived while an async hook decided an earlier one; handled in order afterwards. */
  #backlog: Array<[Buffer, boolean]> | undefined;

  constructor(
    readonly socket: WebSocket,
    readonly dialect: Dialect,
    readonly host: SessionHost,
  ) {
    const { messageRate, messageBurst, joinRate, joinBurst } = host.options;
    const now = performance.now();
    this.#messages = new TokenBucket(messageRate, messageBurst, now);
    this.#joins = new TokenBucket(joinRate, joinBurst, now);
    (socket as TaggedSocket)[kSession] = this;
    socket.on('message', onMessage);
    socket.on('pong', onPong);
    socket.on('close', onClose);
  }

  send(event: OutboundEvent): void {
    const socket = this.socket;
    // A closing socket can still be told things (a room emptying at shutdown): drop them quietly.
    if (socket.readyState !== WebSocket.OPEN) return;
    const text = this.dialect.encode(event);
    if (text === undefined) return;
    socket.send(text);
    if (socket.bufferedAmount > this.host.options.maxBufferedBytes) this.cut('slow-consumer');
  }

  /** Writes text that is already encoded (frames kept for a peer while it was away). */
  sendText(text: string): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(text);
  }

  close(code: number, reason: string): void {
    this.socket.close(code, reason);
  }

  /**
   * Cuts the socket at once, dropping whatever it still buffers, so a slow or dead client frees its memory now.
   * The close event follows asynchronously and the peer leaves its rooms then.
   */
  cut(reason: string): void {
    if (this.cutReason !== undefined) return;
    this.cutReason = reason;
    this.socket.terminate();
  }

  /** Hands the socket back without telling the core: its peer now lives on another session. */
  retire(code: number, reason: string): void {
    this.retired = true;
    this.socket.close(code, reason);
  }

  receive(data: Buffer, isBinary: boolean): void {
    // The budget is checked on arrival, so frames held in the backlog are already paid for.
    if (!this.#messages.take(performance.now())) return this.#refuse();
    this.#strikes = 0;
    if (this.#backlog !== undefined) this.#backlog.push([data, isBinary]);
    else this.#handle(data, isBinary);
  }

  #refuse(): void {
    if (++this.#strikes >= this.host.options.maxRateLimitStrikes) {
      this.cutReason = 'rate-limit';
      this.socket.close(1008, 'rate-limit');
      return;
    }
    this.host.core.handle(this.peerId, RATE_LIMITED);
  }

  #handle(data: Buffer, isBinary: boolean): void {
    const core = this.host.core;
    try {
      let command = isBinary ? INVALID_MESSAGE : this.dialect.decode(data.toString());
      if (command.kind === 'join' && !this.#joins.take(performance.now())) command = RATE_LIMITED;
      const pending = core.handle(this.peerId, command);
      if (pending !== undefined) {
        this.#backlog = [];
        pending.then(() => this.#drain());
      }
    } catch (error) {
      core.reportError(error);
    }
  }

  #drain(): void {
    const backlog = this.#backlog ?? [];
    this.#backlog = undefined;
    while (backlog.length > 0) {
      const [data, isBinary] = backlog.shift() as [Buffer, boolean];
      this.#handle(data, isBinary);
      if (this.#backlog !== undefined) {
        // Another hook is deciding: what is left goes first, before anything that arrives meanwhile.
        this.#backlog = backlog;
        return;
      }
    }
  }

  /** @internal */
  static of(socket: WebSocket): Session {
    return (socket as TaggedSocket)[kSession];
  }
}

function onMessage(this: WebSocket, data: Buffer, isBinary: boolean): void {
  Session.of(this).receive(data, isBinary);
}

function onPong(this: WebSocket): void {
  Session.of(this).awaitingPong = false;
}

function onClose(this: WebSocket, code: number): void {
  const session = Session.of(this);
  try {
    session.host.sessionClosed(session, code);
  } catch (error) {
    session.host.core.reportError(error);
  }
}
