import type { Command, OutboundEvent, RoutingScope } from '../core/types.js';
import type { SignalingError } from '../errors.js';

/** The wire dialects signalroom speaks (docs/protocols.md). */
export type DialectName = 'console' | 'connector' | 'peerjs' | 'ywebrtc';

/** Limits a codec applies while decoding untrusted text. */
export interface DecodeLimits {
  /** Deepest nesting of objects and arrays accepted in a frame. */
  readonly maxDepth: number;
}

/** How a codec writes frames for one kind of connection. */
export interface CodecOptions extends DecodeLimits {
  /**
   * For connections that asked for extensions (`?extensions=1`): frames may carry our additions (the console
   * error's `code`). Without it a codec writes exactly what its original writes.
   * @default false
   */
  readonly extensions?: boolean;
}

/**
 * Frames the transport sends, never the core: what a connection that asked for extensions learns right after its
 * id (its resume token, TURN credentials).
 */
export type ExtensionEvent =
  | { readonly kind: 'resume-token'; readonly token: string }
  | { readonly kind: 'ice-servers'; readonly iceServers: readonly unknown[] };

/** Everything a codec writes: the core's events and the transport's own. */
export type WireEvent = OutboundEvent | ExtensionEvent;

/**
 * A wire format: a pure codec between text frames and the core's dialect-neutral commands and events,
 * plus the per-connection policy its spec implies.
 */
export interface Dialect {
  readonly name: DialectName;
  /** Whether it writes our additions to frames, for connections that asked for extensions. */
  readonly extensions: boolean;
  /** The `Sec-WebSocket-Protocol` value that selects it. */
  readonly subprotocol: string;
  /** Routing scope its spec implies. */
  readonly defaultScope: RoutingScope;
  /** Whether joining a room leaves the current one (one room per connection). */
  readonly switchRooms: boolean;
  /** Turns a client's text frame into a command, or the error a bad frame is answered with. */
  decode(text: string): Command | SignalingError;
  /** Turns an event into a text frame, or `undefined` when the dialect has no frame for it. */
  encode(event: WireEvent): string | undefined;
}
