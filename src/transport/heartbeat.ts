import type { Session } from './session.js';

/**
 * The two timers a {@link Heartbeat} runs on: Node's own by default; a test passes its own and fires them itself,
 * so it checks every beat and deadline without waiting for one.
 */
export interface HeartbeatTimers {
  /** Runs `tick` every `ms` milliseconds until the returned function is called. Must not keep the process alive. */
  every(ms: number, tick: () => void): () => void;
  /** Runs `tick` once, `ms` milliseconds from now, unless the returned function is called first. Same rule. */
  after(ms: number, tick: () => void): () => void;
}

/** Node's timers, unref'd: the server's sockets keep the process alive; the heartbeat alone must not. */
export const NODE_TIMERS: HeartbeatTimers = {
  every(ms, tick) {
    const timer = setInterval(tick, ms);
    timer.unref();
    return () => clearInterval(timer);
  },
  after(ms, tick) {
    const timer = setTimeout(tick, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};

/**
 * One shared timer pings every session each `interval` ms; a session from which nothing at all (no pong, no
 * frame) has arrived `timeout` ms later is cut, and so is one that had data waiting all that time without the
 * kernel taking a byte of it (it sends keepalives but never reads); either leaves its rooms like any other
 * disconnect. Two timers in
 * all, however many connections, and no listener per socket.
 */
export class Heartbeat {
  #stopBeat: (() => void) | undefined;
  #cancelDeadline: (() => void) | undefined;

  constructor(
    private readonly sessions: ReadonlySet<Session>,
    private readonly interval: number,
    private readonly timeout: number,
    private readonly timers: HeartbeatTimers = NODE_TIMERS,
  ) {}

  start(): void {
    if (this.interval === 0 || this.#stopBeat !== undefined) return;
    this.#stopBeat = this.timers.every(this.interval, () => this.#ping());
  }

  stop(): void {
    this.#stopBeat?.();
    this.#cancelDeadline?.();
    this.#stopBeat = undefined;
    this.#cancelDeadline = undefined;
  }

  #ping(): void {
    this.#reap();
    for (const session of this.sessions) session.ping();
    this.#cancelDeadline?.();
    this.#cancelDeadline = this.timers.after(this.timeout, () => this.#reap());
  }

  /** Cuts who sent nothing since the ping, and who has read nothing of what waits for it (a write stall). */
  #reap(): void {
    for (const session of this.sessions) {
      if (session.silentSincePing) session.cut('heartbeat');
      else if (session.stalledSincePing) session.cut('write-stall');
    }
  }
}
