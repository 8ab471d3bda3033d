import type { Connection, OutboundEvent } from '../core/types.js';
import type { Dialect } from '../protocol/dialect.js';

/**
 * Stands in for the connection of a peer whose socket dropped, during its grace period: the peer keeps its id
 * and rooms, and what it is sent waits here, encoded in its dialect, until it resumes. Past `maxBytes` the wait
 * is over (`onOverflow`), because a peer that far behind is better off rejoining.
 */
export class Suspension implements Connection {
  readonly frames: string[] = [];
  #bytes = 0;
  #overflowed = false;
  timer: NodeJS.Timeout | undefined;

  constructor(
    readonly peerId: string,
    private readonly dialect: Dialect,
    private readonly maxBytes: number,
    private readonly onOverflow: (suspension: Suspension) => void,
  ) {}

  send(event: OutboundEvent): void {
    if (this.#overflowed) return;
    const text = this.dialect.encode(event);
    if (text === undefined) return;
    this.frames.push(text);
    this.#bytes += text.length;
    if (this.#bytes > this.maxBytes) {
      this.#overflowed = true;
      // Connections must not call back into the core while it is sending: end the suspension on the next tick.
      queueMicrotask(() => this.onOverflow(this));
    }
  }

  close(): void {
    // Nothing to close: the socket is already gone. The server ends the suspension itself.
  }
}
