import { WebSocket } from 'ws';
import type { Connection, OutboundEvent } from '../core/types.js';
import type { Dialect } from '../protocol/dialect.js';

/** The core's {@link Connection} port over one `ws` socket, speaking one dialect. */
export class WsConnection implements Connection {
  constructor(
    readonly socket: WebSocket,
    readonly dialect: Dialect,
  ) {}

  send(event: OutboundEvent): void {
    // A closing socket can still be told things by the core (a room emptying at shutdown): drop them quietly.
    if (this.socket.readyState !== WebSocket.OPEN) return;
    const text = this.dialect.encode(event);
    if (text !== undefined) this.socket.send(text);
  }

  close(code: number, reason: string): void {
    this.socket.close(code, reason);
  }
}
