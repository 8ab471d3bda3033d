import type { Command, Signal } from '../core/types.js';
import { SignalingError } from '../errors.js';
import type { CodecOptions, Dialect, WireEvent } from './dialect.js';
import { opaque, wireFrame } from './frame.js';
import { CONSOLE_SERVER_TYPES } from './console-types.js';
import { parseObject, type JsonObject } from './json.js';


/** The console wire types of the three WebRTC signals, and the field each carries its payload in. */
const SIGNAL_FIELDS: ReadonlyMap<string, { neutral: string; field: string }> = new Map([
  ['offer', { neutral: 'offer', field: 'offer' }],
  ['answer', { neutral: 'answer', field: 'answer' }],
  ['ice-candidate', { neutral: 'candidate', field: 'candidate' }],
]);
/** Neutral signal type → console wire type, for signals that come from another dialect. */
const CONSOLE_TYPE_OF: ReadonlyMap<string, string> = new Map([
  ['offer', 'offer'],
  ['answer', 'answer'],
  ['candidate', 'ice-candidate'],
]);

const INVALID_MESSAGE = new SignalingError('invalid-message');
const INVALID_ROOM = new SignalingError('invalid-room-name');
const RESERVED = new SignalingError('reserved-type');
const LEAVE: Command = { kind: 'leave' };

/**
 * The `console` dialect: the wire format of the P2P Console Viewer server (docs/protocols.md, the console dialect).
 * One room per connection, unicast within the room, every frame `{"type": ...}`.
 */
export function consoleDialect(limits: CodecOptions): Dialect {
  const extensions = limits.extensions === true;
  // A broadcast hands the same event to every member in a row: encode it once.
  let lastEvent: WireEvent | undefined;
  let lastText: string | undefined;

  return {
    name: 'console',
    extensions,
    subprotocol: 'signalroom.console.v1',
    defaultScope: 'room',
    switchRooms: true,

    decode(text: string): Command | SignalingError {
      const message = parseObject(text, limits.maxDepth);
      if (message === undefined) return INVALID_MESSAGE;
      const type = message.type;
      if (typeof type !== 'string') return INVALID_MESSAGE;
      if (type === 'join-room') {
        return typeof message.room === 'string' ? { kind: 'join', room: message.room, mode: 'auto' } : INVALID_ROOM;
      }
      if (type === 'leave-room') return LEAVE;
      if (CONSOLE_SERVER_TYPES.has(type)) return RESERVED;
      return { kind: 'signal', signal: toSignal(type, message, text) };
    },

    encode(event: WireEvent): string | undefined {
      if (event === lastEvent) return lastText;
      const text = encode(event, extensions);
      if (event.kind === 'signal' || event.kind === 'peer-joined' || event.kind === 'peer-left') {
        lastEvent = event;
        lastText = text;
      }
      return text;
    },
  };
}

function toSignal(type: string, message: JsonObject, raw: string): Signal {
  const known = SIGNAL_FIELDS.get(type);
  return {
    type: known?.neutral ?? type,
    // `"to": null` is a broadcast, as in the original (which tests `if (to)`). Other falsy values (`""`, `0`,
    // `false`) stay unicasts to an id nobody has, answered with an error: a unicast whose target is missing is
    // a bug in the sender, better reported than spread to the whole room.
    to: message.to === null ? undefined : message.to,
    data: known !== undefined ? message[known.field] : 'data' in message ? message.data : message,
    frame: opaque({ dialect: 'console', message, raw }),
  };
}

// The frames every connection and join sends are spelled out around their one variable part: the same bytes as
// JSON.stringify of the object, for a third less of its cost.
function encode(event: WireEvent, extensions: boolean): string | undefined {
  switch (event.kind) {
    case 'welcome':
      return `{"type":"id","id":${JSON.stringify(event.peerId)}}`;
    case 'resume-token':
      return JSON.stringify({ type: 'resume-token', token: event.token });
    case 'ice-servers':
      return JSON.stringify({ type: 'ice-servers', iceServers: event.iceServers });
    case 'joined':
      return `{"type":"room-joined","room":${JSON.stringify(event.room.id)}}`;
    case 'room-peers':
      return `{"type":"room-peers","peers":${JSON.stringify(event.peers)}}`;
    case 'peer-joined':
      return `{"type":"peer-joined","peerId":${JSON.stringify(event.peerId)}}`;
    case 'peer-left':
      return `{"type":"peer-left","peerId":${JSON.stringify(event.peerId)}}`;
    case 'left':
      // `reason` only where the original had no such case (kick), so a plain leave stays byte-identical.
      return JSON.stringify(
        event.reason === 'left'
          ? { type: 'room-left', room: event.room.id }
          : { type: 'room-left', room: event.room.id, reason: event.reason },
      );
    case 'room-ended':
      return JSON.stringify({ type: 'room-left', room: event.room.id, reason: 'ended' });
    case 'signal':
      return encodeSignal(event.signal, event.from);
    case 'message':
      // A type of its own, so no client mistakes it for a peer's frame; an original client reads it as any frame.
      return JSON.stringify({ type: 'server-message', data: event.data });
    case 'reply':
      return JSON.stringify(event.data);
    case 'error':
      // The original's errors are `{"type":"error","message":<code>, ...}`; `code` is our addition, on request.
      return JSON.stringify(
        extensions
          ? { type: 'error', message: event.code, code: event.code, ...event.details }
          : { type: 'error', message: event.code, ...event.details },
      );
  }
}

/** The sender's frame with `from` stamped by the server; a console frame is forwarded without re-serialising. */
function encodeSignal(signal: Signal, from: string): string {
  const frame = wireFrame(signal);
  if (frame.dialect === 'console') {
    // A client-supplied `from` is overwritten in place; otherwise `from` is spliced in before the closing brace.
    if (Object.hasOwn(frame.message, 'from')) return JSON.stringify({ ...frame.message, from });
    const end = frame.raw.lastIndexOf('}');
    return `${frame.raw.slice(0, end)},"from":${JSON.stringify(from)}}`;
  }
  if (signal.type === 'connect') {
    // A connector `Connect` carries an offer (and maybe a candidate): hand it over as the offer it is.
    const { sdp, candidate } = signal.data as { sdp: unknown; candidate: unknown };
    return JSON.stringify(candidate === undefined ? { type: 'offer', offer: sdp, from } : { type: 'offer', offer: sdp, candidate, from });
  }
  const type = CONSOLE_TYPE_OF.get(signal.type) ?? signal.type;
  const field = SIGNAL_FIELDS.get(type)?.field ?? 'data';
  return JSON.stringify({ type, [field]: signal.data, from });
}
