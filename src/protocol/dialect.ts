import type { Command, OutboundEvent, RoutingScope } from '../core/types.js';

/** The wire dialects signalroom speaks (PROTOCOLS.md). */
export type DialectName = 'console' | 'connector';

/** Limits a codec applies while decoding untrusted text. */
export interface DecodeLimits {
  /** Deepest nesting of objects and arrays accepted in a frame. */
  readonly maxDepth: number;
}

/**
 * A wire format: a pure codec between text frames and the core's dialect-neutral commands and events,
 * plus the per-connection policy its spec implies.
 */
export interface Dialect {
  readonly name: DialectName;
  /** The `Sec-WebSocket-Protocol` value that selects it. */
  readonly subprotocol: string;
  /** Routing scope its spec implies. */
  readonly defaultScope: RoutingScope;
  /** Whether joining a room leaves the current one (one room per connection). */
  readonly switchRooms: boolean;
  /** Turns a client's text frame into a command (an `error` command when the frame is bad). */
  decode(text: string): Command;
  /** Turns an event into a text frame, or `undefined` when the dialect has no frame for it. */
  encode(event: OutboundEvent): string | undefined;
}
