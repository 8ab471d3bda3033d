import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
import type { CoreInternals, SignalingCore } from '../core/core.js';
import type { Command, Connection, DisconnectReason } from '../core/types.js';
import { SignalingError } from '../errors.js';
import type { Dialect, WireEvent } from '../protocol/dialect.js';

import { closeReasonOf } from './socket-errors.js';
import type { SessionSocket } from './session-socket.js';
import { refill, TOKEN, type Clock } from './token-bucket.js';

const INVALID_MESSAGE = new SignalingError('invalid-message');
const RATE_LIMITED = new SignalingError('rate-limit');

/** What a session needs from the server that owns it. */
export interface SessionHost {
  /** The clock the sessions' budgets refill by (whole milliseconds, see token-bucket.ts; tests move their own). */
  readonly clock: Clock;
  readonly core: SignalingCore;
  /** What only the transport may drive in the core (the current connection of a peer, its audience, errors). */
  readonly internals: CoreInternals;
  readonly options: SessionOptions;
  /** The socket has closed; `code` is the close code the client sent (or 1006). */
  sessionClosed(session: Session, code: number): void;
  /** Receives how long each frame took to handle, in seconds, when metrics want it. */
  observeHandling: ((seconds: number) => void) | undefined;
  /** The server closed this slow receiver with 1013: its peer leaves now, not when the close handshake ends. */
  sessionShed(session: Session): void;
  /**
   * Before a join is handled: what it costs in join tokens (its membership notices, measured against the
   * console dialect's), after freeing a seat held by a peer in its grace period if the room is full.
   */
  prepareJoin(session: Session, room: unknown): number;
}

/** The limits a session enforces (the server's resolved options). */
export interface SessionOptions {
  readonly messageRate: number;
  readonly messageBurst: number;
  readonly maxRateLimitStrikes: number;
  readonly relayByteRate: number;
  readonly relayByteBurst: number;
  readonly joinRate: number;
  readonly joinBurst: number;
  readonly maxBufferedBytes: number;
  readonly heartbeatTimeout: number;
}

/**
 * Sessions holding frames for the end of this event-loop turn. A session's frames wait there, and leave in one
 * write: one read from a busy sender often carries several frames for the same receiver, and a quiet one carries
 * one, which then costs one syscall, as it would written at once. Holding them ourselves rather than corking the
 * socket spares each frame the stream's buffered-write record and its clearBuffer and writev machinery. One
 * microtask per turn writes them all out: V8 runs it at the checkpoint that follows every I/O callback, before the
 * event loop polls again. A reaction to a settled promise is the cheapest microtask there is: `process.nextTick`
 * costs a trip into Node's tick queue and `queueMicrotask` an async resource per call (about 270 and 130 ns a
 * turn, against 80, on the bench machine).
 */
const holding: Session[] = [];
const settled = Promise.resolve();

/**
 * Writes out every frame held in this turn now: before a socket that others corked (an upgrade's 101 answer) is
 * uncorked, so the frames join its write.
 */
export function flushHeldFrames(): void {
  // By index, not over a copy: a turn makes no array of its own. A session that writes while these flush (an
  // error handler that sends) is pushed on the end and flushed by this same loop.
  for (let i = 0; i < holding.length; i++) (holding[i] as Session).flush();
  holding.length = 0;
}

// A session's flags (see Session.#flags).
const RETIRED = 1;
const EXTENSIONS = 2;
const ENDED = 4;

/** Frames bigger than this are not kept for the next writer: the cache must not hold on to big buffers. */
const MAX_CACHED_FRAME = 64 * 1024;
/** The text of the last frame built, and the frame: a broadcast hands every receiver the same text, framed once. */
let lastText: string | undefined;
let lastFrame: Buffer | undefined;

/**
 * A server-to-client WebSocket text frame (RFC 6455 §5.2: FIN, opcode 1, unmasked) holding `text`, header and
 * UTF-8 payload in one buffer. Sessions write it to the socket themselves rather than through `ws`'s sender,
 * which makes an options object and a separate header buffer per frame, writes the text as a second chunk
 * (copied together again in C++), and encodes a broadcast's text again for every receiver. Safe beside `ws`'s
 * own frames (pings, close): our server never compresses (perMessageDeflate is off) and never sends blobs, so
 * `ws`'s sender never queues, and every frame, ours or its, goes to the socket whole and in call order.
 * `bufferedAmount` counts ours too: they wait in the socket's own buffer.
 */
export function frameOf(text: string): Buffer {
  if (text === lastText) return lastFrame as Buffer;
  const length = Buffer.byteLength(text);
  const header = length < 126 ? 2 : length < 0x10000 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + length);
  frame[0] = 0x81;
  if (header === 2) frame[1] = length;
  else if (header === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 0x1_0000_0000), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  frame.write(text, header, length, 'utf8');
  if (length <= MAX_CACHED_FRAME) {
    lastText = text;
    lastFrame = frame;
  }
  return frame;
}
/**
 * One client socket bound to the core: the core's {@link Connection} port, plus everything per-socket — rate
 * limits, slow-consumer detection, heartbeat state and ordered handling. Its socket hands it frames, pings and
 * its close directly (see SessionSocket): no listeners, no closures, to keep an idle connection small.
 */
export class Session implements Connection {
  /** The peer id, set once the core has registered the peer. */
  peerId = '';
  /**
   * Bytes read from the client when the last ping went out, or -1 when no ping is out. Any byte read since (the
   * pong, or any frame) proves the client alive, so no pong listener is needed per socket.
   */
  readAtPing = -1;
  /** Why the server cut this socket (`'slow-consumer'`, `'heartbeat'`, `'rate-limit'`, ...), if it did. */
  cutReason: DisconnectReason | undefined;
  /** RETIRED, EXTENSIONS and ENDED, in one small integer: an idle connection pays for every field. */
  #flags = 0;
  // Token buckets for messages and joins, as integers (see token-bucket.ts).
  #messageBudget: number;
  #messageAt: number;
  #joinBudget: number;
  #joinAt: number;
  /** Bytes this connection's frames may still cost their recipients (thousandths, like the other buckets). */
  #byteBudget: number;
  #byteAt: number;
  #strikes = 0;
  /** Bytes the kernel had taken from this socket when the last ping went out (for the write-progress check). */
  #flushedAtPing = 0;
  /** The frames written in this turn, not yet on the socket: one, or several in order (see `holding`). */
  #held: Buffer | Buffer[] | undefined = undefined;
  /** Frames that arrived while an async hook decided an earlier one; handled in order afterwards. */
  #backlog: Array<[Buffer, boolean]> | undefined;

  constructor(
    readonly socket: SessionSocket,
    /** The TCP (or TLS) socket under `socket`, written to directly: a turn's frames in one write. */
    private readonly stream: Duplex & Partial<Pick<Socket, 'bytesRead' | 'bytesWritten'>>,
    readonly dialect: Dialect,
    readonly host: SessionHost,
  ) {
    const now = this.clock();
    this.#messageBudget = host.options.messageBurst * TOKEN;
    this.#messageAt = now;
    this.#joinBudget = host.options.joinBurst * TOKEN;
    this.#joinAt = now;
    this.#byteBudget = host.options.relayByteBurst * TOKEN;
    this.#byteAt = now;
    socket.session = this;
  }

  /** This socket's peer moved to a newer socket (resume); closing it must not touch the peer. */
  get retired(): boolean {
    return (this.#flags & RETIRED) !== 0;
  }

  /** The client asked for extensions (resume token and grace period, ICE servers, error codes). */
  get extensions(): boolean {
    return (this.#flags & EXTENSIONS) !== 0;
  }

  set extensions(asked: boolean) {
    this.#flags = asked ? this.#flags | EXTENSIONS : this.#flags & ~EXTENSIONS;
  }

  /**
   * The server closed this socket (its peer was disconnected or replaced, or moved to a newer socket): what the
   * client still sends before the close handshake ends is dropped, so it can never act as a newer peer of its id.
   */
  get #ended(): boolean {
    return (this.#flags & ENDED) !== 0;
  }

  #end(): void {
    this.#flags |= ENDED;
  }

  /** The clock the budgets refill by (the host's: tests move their own). */
  private clock(): number {
    return this.host.clock();
  }

  send(event: WireEvent): void {
    const socket = this.socket;
    // A closing socket can still be told things (a room emptying at shutdown): drop them quietly.
    if (socket.readyState !== WebSocket.OPEN) return;
    const text = this.dialect.encode(event);
    if (text === undefined) return;
    this.#hold(frameOf(text));
    if (socket.bufferedAmount + this.#heldBytes() > this.host.options.maxBufferedBytes) this.shed('slow-consumer');
  }

  /** Holds one frame for the end of this turn, after those held before it. */
  #hold(frame: Buffer): void {
    const held = this.#held;
    if (held === undefined) {
      this.#held = frame;
      if (holding.push(this) === 1) void settled.then(flushHeldFrames);
    } else if (Array.isArray(held)) held.push(frame);
    else this.#held = [held, frame];
  }

  /** Bytes held for the end of this turn: the slow-consumer check counts them with what the socket buffers. */
  #heldBytes(): number {
    const held = this.#held;
    if (held === undefined) return 0;
    if (!Array.isArray(held)) return held.length;
    let bytes = 0;
    for (const frame of held) bytes += frame.length;
    return bytes;
  }

  /**
   * @internal Writes the frames held in this turn to the socket, in one write. `SessionSocket` calls it before any
   * frame of `ws`'s own (a close, a ping), so a close frame never overtakes the frames sent before it. A socket
   * that is no longer writable (the client ended it, or it was cut) drops them, as it would have dropped them
   * written.
   */
  flush(): void {
    const held = this.#held;
    if (held === undefined) return;
    this.#held = undefined;
    if (!this.stream.writable) return;
    this.stream.write(Array.isArray(held) ? Buffer.concat(held) : held);
  }

  /**
   * Closes a receiver that fell too far behind with 1013 (try again later) and the reason, after what it already
   * has: a client that reads gets the close frame; one that does not read is terminated `heartbeatTimeout` ms
   * later, so its buffers are freed either way. Its peer leaves at once and no more is queued for it.
   */
  shed(reason: DisconnectReason): void {
    if (this.cutReason !== undefined) return;
    this.cutReason = reason;
    this.#end();
    this.socket.close(1013, reason);
    setTimeout(() => this.socket.terminate(), this.host.options.heartbeatTimeout).unref();
    // A connection must not call back into the core while it is sending: leave on the next microtask.
    queueMicrotask(() => this.host.sessionShed(this));
  }

  /** Writes text that is already encoded (frames kept for a peer while it was away). */
  sendText(text: string): void {
    if (this.socket.readyState === WebSocket.OPEN) this.#hold(frameOf(text));
  }

  close(code: number, reason: string): void {
    this.#end();
    this.socket.close(code, reason);
  }

  /**
   * Cuts the socket at once, dropping whatever it still buffers, so a slow or dead client frees its memory now.
   * The close event follows asynchronously and the peer leaves its rooms then.
   */
  cut(reason: DisconnectReason): void {
    if (this.cutReason !== undefined) return;
    this.cutReason = reason;
    this.socket.terminate();
  }

  /**
   * Sends a ping and remembers how much had been read and written, so the next check can tell whether anything
   * came back, and whether the client took anything we sent.
   */
  ping(): void {
    this.readAtPing = this.stream.bytesRead ?? 0;
    this.#flushedAtPing = this.#flushed;
    this.socket.ping();
  }

  /** Whether nothing has arrived from the client since the last ping. */
  get silentSincePing(): boolean {
    return this.readAtPing !== -1 && (this.stream.bytesRead ?? 0) === this.readAtPing;
  }

  /**
   * Whether data has been waiting to go out since the last ping and the kernel has taken none of it: the client
   * does not read (it may still send keepalives, so inbound liveness alone cannot tell).
   */
  get stalledSincePing(): boolean {
    return this.readAtPing !== -1 && this.stream.writableLength > 0 && this.#flushed === this.#flushedAtPing;
  }

  /** Bytes whose writes have completed, i.e. the kernel accepted them. */
  get #flushed(): number {
    return (this.stream.bytesWritten ?? 0) - this.stream.writableLength;
  }

  /** Hands the socket back without telling the core: its peer now lives on another session. */
  retire(code: number, reason: string): void {
    this.#flags |= RETIRED | ENDED;
    this.socket.close(code, reason);
  }

  receive(data: Buffer, isBinary: boolean): void {
    if (this.#ended) return;
    // The budget is checked on arrival, so frames held in the backlog are already paid for.
    // One clock reading per frame: the message budget now, the byte and join budgets when it is handled.
    const now = this.clock();
    if (!this.#payMessage(now)) return this.#refuse();
    if (this.#backlog !== undefined) this.#backlog.push([data, isBinary]);
    else this.#handle(data, isBinary, now);
  }

  /**
   * A ping from the client, answered with a pong. ws's automatic pong is off (it costs every socket a closure of
   * its own), so the session answers: a ping pays the message budget like any frame, and a ping flood is refused
   * and cut like a message flood, or shed as a slow consumer when its pongs pile up unread.
   */
  receivePing(data: Buffer): void {
    const socket = this.socket;
    if (this.#ended || socket.readyState !== WebSocket.OPEN) return;
    if (!this.#payMessage(this.clock())) return this.#refuse();
    socket.pong(data);
    if (socket.bufferedAmount > this.host.options.maxBufferedBytes) this.shed('slow-consumer');
  }

  /** Takes one token of the message budget at `now`; false when there is none. */
  #payMessage(now: number): boolean {
    const { messageRate, messageBurst } = this.host.options;
    const budget = refill(this.#messageBudget, now - this.#messageAt, messageRate, messageBurst);
    this.#messageAt = now;
    if (budget < TOKEN) {
      this.#messageBudget = budget;
      return false;
    }
    this.#messageBudget = budget - TOKEN;
    return true;
  }

  /**
   * Holds the frames that arrive until `pending` settles (the peer is still being set up, for example taken over
   * from another node), then handles them in arrival order.
   */
  hold(pending: Promise<unknown>): void {
    this.#backlog ??= [];
    pending.finally(() => this.#drain()).catch(() => {});
  }

  #refuse(): void {
    if (this.#strike()) this.host.core.reject(this.peerId, RATE_LIMITED);
  }

  /** Counts a refusal; false once there were too many (the connection is then closed with 1008). */
  #strike(): boolean {
    if (++this.#strikes < this.host.options.maxRateLimitStrikes) return true;
    this.cutReason = 'rate-limit';
    this.#end();
    this.socket.close(1008, 'rate-limit');
    return false;
  }

  /** Handles one frame; `now` is the budgets' clock read as it arrived (or, held back, as its turn came). */
  #handle(data: Buffer, isBinary: boolean, now: number): void {
    if (this.#ended) return;
    const core = this.host.core;
    const observe = this.host.observeHandling;
    const started = observe === undefined ? 0 : performance.now();
    try {
      const command = isBinary ? INVALID_MESSAGE : this.dialect.decode(data.toString());
      if (command instanceof SignalingError) {
        this.#letThrough();
        core.reject(this.peerId, command);
      } else if (command.kind === 'signal' && !this.#takeBytes(data.length, command.signal.to === undefined, now)) {
        if (this.#strike()) core.reject(this.peerId, RATE_LIMITED);
      } else {
        this.#letThrough();
        const pending = this.#run(command, now);
        if (pending !== undefined) {
          this.#backlog = [];
          pending.then(() => this.#drain());
        }
      }
    } catch (error) {
      this.host.internals.reportError(error);
    }
    if (observe !== undefined) observe((performance.now() - started) / 1000);
  }

  /**
   * Strikes decay, rather than reset, with each message let through: a sender pacing itself just over a limit (one
   * message in, many refused) still reaches the cut.
   */
  #letThrough(): void {
    if (this.#strikes > 0) this.#strikes--;
  }

  /** One command, after the budgets that apply to it: each join pays the join budget, also within a batch. */
  #run(command: Command, now: number): void | Promise<void> {
    if (command.kind === 'batch') return this.#runBatch(command.commands, 0, now);
    if (command.kind === 'join' && !this.#takeJoin(this.host.prepareJoin(this, command.room), now)) {
      return this.host.core.reject(this.peerId, RATE_LIMITED);
    }
    return this.host.core.handle(this.peerId, command);
  }

  /** The commands of one frame (a y-webrtc subscribe to several topics) in order; one that waits holds the rest. */
  #runBatch(commands: readonly Command[], from: number, now: number): void | Promise<void> {
    for (let i = from; i < commands.length; i++) {
      const pending = this.#run(commands[i] as Command, now);
      // The rest of the batch runs later: its joins read the clock then.
      if (pending !== undefined) return pending.then(() => this.#runBatch(commands, i + 1, this.clock()));
    }
  }

  /**
   * Takes `cost` join tokens. A join is let through whenever one token is there and may run the budget into
   * debt, so a join into a big room is never impossible, only followed by a longer wait.
   */
  #takeJoin(cost: number, now: number): boolean {
    const budget = refill(this.#joinBudget, now - this.#joinAt, this.host.options.joinRate, this.host.options.joinBurst);
    this.#joinAt = now;
    this.#joinBudget = budget >= TOKEN ? budget - cost * TOKEN : budget;
    return budget >= TOKEN;
  }

  /**
   * Charges a relay what it costs its room: its bytes times the peers it reaches (every other member for a
   * broadcast). Let through while the budget is positive (it may then run into debt by one frame), so no single
   * sender can put more than `relayByteBurst` plus one frame, and `relayByteRate` after that, in front of any
   * one receiver.
   */
  #takeBytes(bytes: number, broadcast: boolean, now: number): boolean {
    const { relayByteRate, relayByteBurst } = this.host.options;
    const budget = refill(this.#byteBudget, now - this.#byteAt, relayByteRate, relayByteBurst);
    this.#byteAt = now;
    if (budget <= 0) {
      this.#byteBudget = budget;
      return false;
    }
    const recipients = broadcast ? this.host.internals.audience(this.peerId) : 1;
    this.#byteBudget = budget - bytes * recipients * TOKEN;
    return true;
  }

  #drain(): void {
    const backlog = this.#backlog ?? [];
    this.#backlog = undefined;
    while (backlog.length > 0) {
      const [data, isBinary] = backlog.shift() as [Buffer, boolean];
      this.#handle(data, isBinary, this.clock());
      if (this.#backlog !== undefined) {
        // Another hook is deciding: what is left goes first, before anything that arrives meanwhile.
        this.#backlog = backlog;
        return;
      }
    }
  }

  /** The socket has closed, with the close code the client sent (or 1006): the server lets its peer go. */
  socketClosed(code: number): void {
    try {
      this.host.sessionClosed(this, code);
    } catch (error) {
      this.host.internals.reportError(error);
    }
  }

  /** Why the socket closed, when the server did not cut it: too big a frame, a protocol error, a drop, a close. */
  closeReason(code: number): DisconnectReason {
    return this.cutReason ?? closeReasonOf(this.socket.failure, code);
  }
}
