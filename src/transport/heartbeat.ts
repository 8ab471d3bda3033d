import type { Session } from './session.js';

/**
 * One shared timer pings every session each `interval` ms; a session from which nothing at all (no pong, no
 * frame) has arrived `timeout` ms later is cut, and so is one that had data waiting all that time without the
 * kernel taking a byte of it (it sends keepalives but never reads); either leaves its rooms like any other
 * disconnect. Two timers in
 * all, however many connections, and no listener per socket.
 */
export class Heartbeat {
  #beat: NodeJS.Timeout | undefined;
  #deadline: NodeJS.Timeout | undefined;

  constructor(
    private readonly sessions: ReadonlySet<Session>,
    private readonly interval: number,
    private readonly timeout: number,
  ) {}

  start(): void {
    if (this.interval === 0 || this.#beat !== undefined) return;
    this.#beat = setInterval(() => this.#ping(), this.interval);
    // The server's sockets keep the process alive; the heartbeat alone must not.
    this.#beat.unref();
  }

  stop(): void {
    clearInterval(this.#beat);
    clearTimeout(this.#deadline);
    this.#beat = undefined;
    this.#deadline = undefined;
  }

  #ping(): void {
    this.#reap();
    for (const session of this.sessions) session.ping();
    clearTimeout(this.#deadline);
    this.#deadline = setTimeout(() => this.#reap(), this.timeout);
    this.#deadline.unref();
  }

  /** Cuts who sent nothing since the ping, and who has read nothing of what waits for it (a write stall). */
  #reap(): void {
    for (const session of this.sessions) {
      if (session.silentSincePing) session.cut('heartbeat');
      else if (session.stalledSincePing) session.cut('write-stall');
    }
  }
}
