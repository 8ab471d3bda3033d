import type { Command } from '../core/types.js';
import { SignalingError } from '../errors.js';
import type { CodecOptions, Dialect, WireEvent } from './dialect.js';
import { opaque, wireFrame } from './frame.js';
import { parseObject, type JsonObject } from './json.js';

const NOOP: Command = { kind: 'noop' };
const PONG: Command = { kind: 'reply', data: { type: 'pong' } };
const INVALID_MESSAGE = new SignalingError('invalid-message');

/**
 * The `ywebrtc` dialect: the wire format of y-webrtc's signaling server (`bin/server.js` of the y-webrtc package;
 * docs/protocols.md, the y-webrtc dialect). Topics are rooms: `subscribe` joins, `unsubscribe` leaves, `publish`
 * reaches every subscriber of the topic, the sender included, with the subscriber count added as `clients`.
 */
export function ywebrtcDialect(options: CodecOptions): Dialect {
  // A publish hands the same event to every subscriber in a row: encode it once.
  let lastEvent: WireEvent | undefined;
  let lastText: string | undefined;

  return {
    name: 'ywebrtc',
    extensions: options.extensions === true,
    subprotocol: 'signalroom.ywebrtc.v1',
    defaultScope: 'room',
    switchRooms: false,

    decode(text: string): Command | SignalingError {
      const message = parseObject(text, options.maxDepth);
      if (message === undefined) return INVALID_MESSAGE;
      switch (message.type) {
        case 'subscribe':
          return topics(message, (room) => ({ kind: 'join', room, mode: 'auto' }));
        case 'unsubscribe':
          return topics(message, (room) => ({ kind: 'leave', room }));
        case 'publish':
          // The original ignores a publish without a topic.
          if (typeof message.topic !== 'string' || message.topic === '') return NOOP;
          return {
            kind: 'signal',
            signal: { type: 'publish', room: message.topic, data: message.data, frame: opaque({ dialect: 'ywebrtc', message, raw: text }) },
          };
        case 'ping':
          return PONG;
        default:
          return NOOP;
      }
    },

    encode(event: WireEvent): string | undefined {
      if (event === lastEvent) return lastText;
      const text = encode(event);
      if (event.kind === 'signal') {
        lastEvent = event;
        lastText = text;
      }
      return text;
    },
  };
}

/** One command per string topic, in order (the original skips anything else in `topics`). */
function topics(message: JsonObject, command: (topic: string) => Command): Command {
  const list = Array.isArray(message.topics) ? message.topics.filter((topic): topic is string => typeof topic === 'string') : [];
  if (list.length === 1) return command(list[0] as string);
  return list.length === 0 ? NOOP : { kind: 'batch', commands: list.map(command) };
}

function encode(event: WireEvent): string | undefined {
  switch (event.kind) {
    case 'signal': {
      const clients = event.room?.members.size;
      const frame = wireFrame(event.signal);
      if (frame.dialect === 'ywebrtc') {
        // The sender's object with `clients` set, as the original sends it (an own `clients` keeps its place).
        return JSON.stringify(clients === undefined ? frame.message : { ...frame.message, clients });
      }
      if (event.room === undefined) return undefined;
      return JSON.stringify({ type: 'publish', topic: event.room.id, data: event.signal.data, clients });
    }
    case 'message':
      // Its own type: a y-webrtc client ignores types it does not know.
      return JSON.stringify({ type: 'server-message', data: event.data });
    case 'reply':
      return JSON.stringify(event.data);
    case 'resume-token':
      return JSON.stringify({ type: 'resume-token', token: event.token });
    case 'ice-servers':
      return JSON.stringify({ type: 'ice-servers', iceServers: event.iceServers });
    case 'error':
      // The original refuses nothing; its client ignores types it does not know, so a refusal can say why.
      return JSON.stringify({ type: 'error', message: event.code, ...event.details });
    default:
      // No frames for ids and room notices: the original has none.
      return undefined;
  }
}
