import type { Command, RoomView, Signal } from '../core/types.js';
import { SignalingError, type SignalingErrorCode } from '../errors.js';
import type { CodecOptions, Dialect, WireEvent } from './dialect.js';
import { opaque, wireFrame } from './frame.js';
import { goJson, goTimestamp } from './go-json.js';
import { isObject, parseObject, type JsonObject } from './json.js';

/** The nine event names the original server dispatches on, as it reports them in `Unsupported_Event`. */
export const CONNECTOR_EVENTS = [
  'Connect',
  'Create_Room',
  'Join_Room',
  'Leave_Room',
  'End_Room',
  'Offer',
  'Answer',
  'Candidate',
  'Message',
] as const;
type ConnectorEvent = (typeof CONNECTOR_EVENTS)[number];

/** Every accepted spelling: the exact names, their lowercase forms, and the spec's misspelt `Create_Rom`. */
const EVENT_ALIASES: ReadonlyMap<string, ConnectorEvent> = new Map([
  ...CONNECTOR_EVENTS.map((name) => [name, name] as const),
  ...CONNECTOR_EVENTS.map((name) => [name.toLowerCase(), name] as const),
  ['Create_Rom', 'Create_Room'],
  ['create_rom', 'Create_Room'],
]);

/** Relay events and the neutral signal type each becomes. */
const RELAY_TYPES: ReadonlyMap<ConnectorEvent, string> = new Map([
  ['Offer', 'offer'],
  ['Answer', 'answer'],
  ['Candidate', 'candidate'],
  ['Message', 'message'],
]);
/** Neutral signal type → connector event, for signals from another dialect; anything else is a `Message`. */
const EVENT_OF_TYPE: ReadonlyMap<string, string> = new Map([
  ['offer', 'Offer'],
  ['answer', 'Answer'],
  ['candidate', 'Candidate'],
  ['message', 'Message'],
]);

/** The `type` of every server envelope: a relayed frame may not carry one. */
const ENVELOPE_TYPES: ReadonlySet<unknown> = new Set(['info', 'update', 'error']);

/** Error codes and texts, byte for byte as the original sends them (docs/protocols.md, the connector dialect). */
const MISSING_DATA = "'data' field is missing or is not object in the request.";
const MISSING_SDP = "'data''sdp' field is missing in the request.";
const MISSING_ROOM = "'room' field is missing in the request.";
const MISSING_TO = "'to' field not found";

/** How a neutral error code is said in this dialect: its event name and its `data.message`. */
const ERRORS: Readonly<Record<Exclude<SignalingErrorCode, 'unsupported-event' | 'reserved-type'>, { event: string; text: (details: Readonly<Record<string, unknown>>) => string }>> = {
  'invalid-message': { event: 'Invalid_Message', text: () => 'Message is not a JSON object.' },
  'missing-fields': { event: 'Missing_Fields', text: (d) => String(d.message) },
  'target-unavailable-or-different-room': { event: 'Not_Found', text: (d) => `Client with given ${String(d.to)} not found` },
  'room-not-found': { event: 'Not_Found', text: (d) => `Room with Id ${String(d.room)} does not exist.` },
  'not-in-room': { event: 'Not_Found', text: () => 'Client does not exists in the room.' },
  'room-exists': { event: 'Duplicate_Room', text: (d) => `${String(d.room)} already exist` },
  'not-room-owner': { event: 'Unauthorised', text: () => 'You need to be creator of room to delete it.' },
  'already-in-room': { event: 'Already_Exists', text: () => 'Client already exists in the room.' },
  'invalid-room-name': { event: 'Invalid_Room_Name', text: (d) => `Room id must be a string of 1 to ${String(d.limit)} characters.` },
  'room-full': { event: 'Room_Full', text: (d) => `Room ${String(d.room)} is full (${String(d.limit)} clients).` },
  'too-many-rooms': { event: 'Too_Many_Rooms', text: (d) => `A client may be in at most ${String(d.limit)} rooms.` },
  'rate-limit': { event: 'Rate_Limited', text: () => 'Too many messages; slow down.' },
  'forbidden': { event: 'Forbidden', text: () => 'Not allowed.' },
  'peer-not-found': { event: 'Not_Found', text: (d) => `Client with given ${String(d.peer)} not found` },
};

const INVALID_MESSAGE = new SignalingError('invalid-message');
const UNSUPPORTED_EVENT = new SignalingError('unsupported-event');
const RESERVED = new SignalingError('reserved-type');

/** Options of {@link connectorDialect}; the clock and ids are injectable so tests can pin frames exactly. */
export interface ConnectorCodecOptions extends CodecOptions {
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** Makes `message_id`s. @default crypto.randomUUID */
  readonly generateId?: () => string;
}

/**
 * The `connector` dialect: the wire format of the Peer2Peer Connector server (docs/protocols.md, the connector dialect).
 * Several rooms per connection, owned rooms, enveloped server frames, relays to any id by default.
 */
export function connectorDialect(options: ConnectorCodecOptions): Dialect {
  const now = options.now ?? (() => new Date());
  const generateId = options.generateId ?? (() => globalThis.crypto.randomUUID());

  /**
   * `{"type","event","data","timestamp","message_id"}` in that order (a Go struct), `data` with sorted keys (a Go
   * map), and gorilla's trailing newline. The timestamp has the millisecond JS has (Go has nanoseconds).
   */
  const envelope = (type: 'info' | 'update' | 'error', event: string, data: unknown): string =>
    `{"type":"${type}","event":${goJson(event)},"data":${goJson(data)},"timestamp":"${goTimestamp(now())}","message_id":"${generateId()}"}\n`;

  const roomData = (room: RoomView): JsonObject => ({ clients: [...room.members.keys()], name: room.name, room: room.id });

  return {
    name: 'connector',
    extensions: options.extensions === true,
    subprotocol: 'signalroom.connector.v1',
    defaultScope: 'open',
    switchRooms: false,

    decode(text: string): Command | SignalingError {
      const message = parseObject(text, options.maxDepth);
      if (message === undefined) return INVALID_MESSAGE;
      const event = typeof message.event === 'string' ? EVENT_ALIASES.get(message.event) : undefined;
      if (event === undefined) return UNSUPPORTED_EVENT;
      return decodeEvent(event, message, text);
    },

    encode(event: WireEvent): string | undefined {
      switch (event.kind) {
        case 'welcome':
          return envelope('info', 'Client_Details', { id: event.peerId });
        case 'resume-token':
          return envelope('info', 'Resume_Token', { token: event.token });
        case 'ice-servers':
          return envelope('info', 'ICE_Servers', { iceServers: event.iceServers });
        case 'joined':
          return event.created
            ? envelope('info', 'Room_Created', roomData(event.room))
            : envelope('update', 'Client_Added', roomData(event.room));
        case 'room-peers':
          return undefined; // Client_Added already listed every member.
        case 'peer-joined':
          return envelope('update', 'Client_Added', roomData(event.room));
        case 'peer-left':
          return envelope('update', 'Client_Removed', roomData(event.room));
        case 'left':
          return envelope(
            'info',
            'Room_Left',
            event.reason === 'left' ? { room: event.room.id } : { room: event.room.id, reason: event.reason },
          );
        case 'room-ended':
          return envelope('update', 'Room_Deleted', roomData(event.room));
        case 'signal':
          return encodeSignal(event.signal, event.from, envelope);
        case 'message':
          // An envelope like the server's own, so an original client can read it (it ignores events it does not know).
          return envelope('info', 'Server_Message', { message: event.data });
        case 'reply':
          return JSON.stringify(event.data);
        case 'error': {
          if (event.code === 'unsupported-event' || event.code === 'reserved-type') {
            return envelope('error', 'Unsupported_Event', { events: CONNECTOR_EVENTS });
          }
          const { event: name, text } = ERRORS[event.code];
          return envelope('error', name, { message: text(event.details) });
        }
      }
    },
  };
}

function decodeEvent(event: ConnectorEvent, message: JsonObject, raw: string): Command | SignalingError {
  const data = message.data;
  const relayType = RELAY_TYPES.get(event);
  if (relayType !== undefined) {
    if (typeof message.to !== 'string') return missing(MISSING_TO);
    // A relay keeps the sender's keys: with an envelope's `type` it would pass for a server frame.
    if (ENVELOPE_TYPES.has(message.type as string)) return RESERVED;
    return { kind: 'signal', signal: { type: relayType, to: message.to, data, frame: opaque({ dialect: 'connector', message, raw }) } };
  }
  if (event === 'Connect') return decodeConnect(message, raw);
  if (!isObject(data)) return missing(MISSING_DATA);
  switch (event) {
    case 'Create_Room':
      return {
        kind: 'join',
        // As in the original, a missing or non-string id means "make one up".
        room: typeof data.room === 'string' ? data.room : undefined,
        mode: 'create',
        name: typeof data.name === 'string' ? data.name : '',
      };
    case 'Join_Room':
    case 'Leave_Room':
    case 'End_Room': {
      if (typeof data.room !== 'string') return missing(MISSING_ROOM);
      if (event === 'Join_Room') return { kind: 'join', room: data.room, mode: 'existing' };
      if (event === 'Leave_Room') return { kind: 'leave', room: data.room };
      return { kind: 'end', room: data.room };
    }
    default:
      return UNSUPPORTED_EVENT;
  }
}

/**
 * `Connect` is checked in the original's order: `to`, then whether that client exists (the core does it), then
 * `data`, then `data.sdp`. So the codec hands a malformed `Connect` on with its fault, answered after the target.
 */
function decodeConnect(message: JsonObject, raw: string): Command | SignalingError {
  if (typeof message.to !== 'string') return missing(MISSING_TO);
  const data = message.data;
  const fault = !isObject(data) ? MISSING_DATA : data.sdp === undefined ? MISSING_SDP : undefined;
  // The original read only `Candidate`, against its own docs: accept both spellings.
  const candidate = isObject(data) ? (data.candidate !== undefined ? data.candidate : data.Candidate) : undefined;
  const signal: Signal = {
    type: 'connect',
    to: message.to,
    data: { sdp: isObject(data) ? data.sdp : undefined, candidate },
    frame: opaque({ dialect: 'connector', message, raw }),
  };
  return fault === undefined ? { kind: 'signal', signal } : { kind: 'signal', signal, fault: missing(fault) };
}

function missing(message: string): SignalingError {
  return new SignalingError('missing-fields', { message });
}

/**
 * Relays arrive as the sender's object with `to` removed and `from` stamped; a `Connect` arrives as an
 * `info`/`Offer` envelope. Signals from another dialect are put in the same shapes.
 */
function encodeSignal(
  signal: Signal,
  from: string,
  envelope: (type: 'info', event: string, data: unknown) => string,
): string {
  const frame = wireFrame(signal);
  if (frame.dialect === 'connector') {
    // Only a connector `Connect` (checked by its decoder) becomes the server's offer envelope; another dialect's
    // frame of type "connect" is an app message like any other.
    if (signal.type === 'connect') return envelope('info', 'Offer', { data: signal.data, event: 'Offer', from });
    const { to: _to, ...rest } = frame.message;
    return `${goJson({ ...rest, from })}\n`;
  }
  return `${goJson({ event: EVENT_OF_TYPE.get(signal.type) ?? 'Message', data: signal.data, from })}\n`;
}
