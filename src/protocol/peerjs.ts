import type { Command, Signal } from '../core/types.js';
import { SignalingError } from '../errors.js';
import type { CodecOptions, Dialect, WireEvent } from './dialect.js';
import { frameDialect, opaque, wireFrame } from './frame.js';
import { parseObject } from './json.js';

/** The relayed message types of the PeerJS protocol and the neutral signal type each becomes. */
const RELAYED: ReadonlyMap<string, string> = new Map([
  ['OFFER', 'offer'],
  ['ANSWER', 'answer'],
  ['CANDIDATE', 'candidate'],
  ['LEAVE', 'leave'],
  ['EXPIRE', 'expire'],
]);
/** Neutral signal type → PeerJS type, for signals that come from another dialect. */
const TYPE_OF: ReadonlyMap<string, string> = new Map([...RELAYED].map(([wire, neutral]) => [neutral, wire]));

/** The texts of the original server's `ERROR` frames (its `Errors` enum), byte for byte. */
export const PEERJS_ERRORS = {
  invalidKey: 'Invalid key provided',
  invalidToken: 'Invalid token provided',
  invalidParameters: 'No id, token, or key supplied to websocket server',
  limitExceeded: 'Server has reached its concurrent user limit',
} as const;

/** `{"type":"ERROR","payload":{"msg":...}}`: what the original sends before it closes a socket it refuses. */
export function peerjsError(msg: string): string {
  return JSON.stringify({ type: 'ERROR', payload: { msg } });
}

/** The frame for a connection whose id is connected already with another token. */
export const PEERJS_ID_TAKEN = JSON.stringify({ type: 'ID-TAKEN', payload: { msg: 'ID is taken' } });

/** `{"type":"EXPIRE","src":<the absent peer>,"dst":<the sender>}`: a held message found nobody in time. */
export function peerjsExpire(absent: string, sender: string): { type: 'EXPIRE'; src: string; dst: string } {
  return { type: 'EXPIRE', src: absent, dst: sender };
}

/** Whether the original holds a message of this neutral type for a destination that is not connected yet. */
export function peerjsHolds(signal: Signal): boolean {
  return frameDialect(signal) === 'peerjs' && signal.type !== 'leave' && signal.type !== 'expire';
}

const NOOP: Command = { kind: 'noop' };
const INVALID_MESSAGE = new SignalingError('invalid-message');

/**
 * The `peerjs` dialect: the wire format of the `peer` package's PeerServer as the `peerjs` client speaks it
 * (docs/protocols.md, the peerjs dialect). No rooms; `{type, dst, payload}` relayed to any id with `src` stamped.
 *
 * The client treats any `ERROR` frame as fatal (it destroys the Peer), and the original answers a bad frame
 * with silence, so per-frame errors are never written: only the handshake's refusals are, by the transport.
 */
export function peerjsDialect(options: CodecOptions): Dialect {
  return {
    name: 'peerjs',
    extensions: options.extensions === true,
    subprotocol: 'signalroom.peerjs.v1',
    defaultScope: 'open',
    switchRooms: false,

    decode(text: string): Command | SignalingError {
      const message = parseObject(text, options.maxDepth);
      if (message === undefined || typeof message.type !== 'string') return INVALID_MESSAGE;
      const type = RELAYED.get(message.type);
      // HEARTBEAT only keeps the client alive (the transport sees every frame); the original ignores unknown types
      // and relayed ones without a destination.
      if (type === undefined || typeof message.dst !== 'string') return NOOP;
      return { kind: 'signal', signal: { type, to: message.dst, data: message.payload, frame: opaque({ dialect: 'peerjs', message, raw: text }) } };
    },

    encode(event: WireEvent): string | undefined {
      switch (event.kind) {
        case 'welcome':
          return '{"type":"OPEN"}';
        case 'signal': {
          const { signal } = event;
          const frame = wireFrame(signal);
          // As the original builds it: these four keys, in this order (other fields of the sender's frame are dropped).
          const type = frame.dialect === 'peerjs' ? frame.message.type : (TYPE_OF.get(signal.type) ?? signal.type);
          const dst = frame.dialect === 'peerjs' ? frame.message.dst : signal.to;
          return JSON.stringify({ type, src: event.from, dst, payload: signal.data });
        }
        case 'message':
        case 'reply':
          // PeerJS has no server frame of its own: server code writes PeerJS frames (an `EXPIRE`, say) as they are.
          return JSON.stringify(event.data);
        default:
          return undefined;
      }
    },
  };
}
