import { describe, expect, it } from 'vitest';
import type { Command, OutboundEvent, RoomView, Signal } from '../../src/core/types.js';
import { SignalingError } from '../../src/errors.js';
import { connectorDialect } from '../../src/protocol/connector.js';
import { consoleDialect } from '../../src/protocol/console.js';
import type { Dialect } from '../../src/protocol/dialect.js';
import { frameDialect, frameText } from '../../src/protocol/frame.js';
import { peerjsDialect } from '../../src/protocol/peerjs.js';
import { ywebrtcDialect } from '../../src/protocol/ywebrtc.js';

/**
 * The codecs called directly: text in, command out; event in, text out. The connector codec gets a pinned clock
 * and id generator, so its frames are fixed byte for byte (the socket-level golden sessions replace what is random).
 */

const LIMITS = { maxDepth: 32 };
const AT = new Date('2026-12-01T10:20:30.450Z');
function pinnedConnector(extensions = false): Dialect {
  let next = 0;
  return connectorDialect({ ...LIMITS, extensions, now: () => AT, generateId: () => `msg-${++next}` });
}

function room(id: string, members: string[], name = ''): RoomView {
  return { id, name, owner: members[0], members: new Map(members.map((m) => [m, undefined])), metadata: undefined };
}

function signalOf(dialect: Dialect, text: string): Signal {
  const command = dialect.decode(text);
  if (command instanceof SignalingError || command.kind !== 'signal') throw new Error(`not a signal: ${text}`);
  return command.signal;
}

function codeOf(result: Command | SignalingError): string | undefined {
  return result instanceof SignalingError ? result.code : undefined;
}

describe('the console codec', () => {
  const codec = consoleDialect(LIMITS);

  it('decodes joins, leaves and signals, and returns a SignalingError for a bad frame', () => {
    expect(codec.decode('{"type":"join-room","room":"r"}')).toEqual({ kind: 'join', room: 'r', mode: 'auto' });
    expect(codec.decode('{"type":"leave-room"}')).toEqual({ kind: 'leave' });
    expect(codeOf(codec.decode('not json'))).toBe('invalid-message');
    expect(codeOf(codec.decode('[1,2]'))).toBe('invalid-message');
    expect(codeOf(codec.decode('{"type":3}'))).toBe('invalid-message');
    expect(codeOf(codec.decode('{"type":"join-room","room":7}'))).toBe('invalid-room-name');
    for (const reserved of ['id', 'peer-joined', 'error', 'ice-servers', 'server-message']) {
      expect(codeOf(codec.decode(JSON.stringify({ type: reserved })))).toBe('reserved-type');
    }
    expect(codeOf(codec.decode(`{"type":"x","a":${'['.repeat(40)}${']'.repeat(40)}}`))).toBe('invalid-message');
    const offer = signalOf(codec, '{"type":"offer","to":"b","offer":{"sdp":"v=0"}}');
    expect(offer).toMatchObject({ type: 'offer', to: 'b', data: { sdp: 'v=0' } });
    expect(frameDialect(offer)).toBe('console');
    expect(signalOf(codec, '{"type":"chat","to":null,"text":"hi"}')).toMatchObject({ type: 'chat', to: undefined });
  });

  it('relays a console frame as sent, with from spliced in or overwritten in place', () => {
    const text = '{"type":"offer","to":"b","offer":{"sdp":"v=0"}}';
    const signal = signalOf(codec, text);
    expect(frameText(signal)).toBe(text);
    expect(codec.encode({ kind: 'signal', from: 'a', signal })).toBe('{"type":"offer","to":"b","offer":{"sdp":"v=0"},"from":"a"}');
    const forged = signalOf(codec, '{"type":"chat","from":"mallory","to":"b"}');
    expect(codec.encode({ kind: 'signal', from: 'a', signal: forged })).toBe('{"type":"chat","from":"a","to":"b"}');
  });

  it('writes every event as the original does, our additions only with extensions', () => {
    const r = room('r', ['a', 'b']);
    const frames: Array<[OutboundEvent, string | undefined]> = [
      [{ kind: 'welcome', peerId: 'a' }, '{"type":"id","id":"a"}'],
      [{ kind: 'joined', room: r, created: true }, '{"type":"room-joined","room":"r"}'],
      [{ kind: 'room-peers', room: r, peers: ['b'] }, '{"type":"room-peers","peers":["b"]}'],
      [{ kind: 'peer-joined', room: r, peerId: 'b' }, '{"type":"peer-joined","peerId":"b"}'],
      [{ kind: 'peer-left', room: r, peerId: 'b', reason: 'left' }, '{"type":"peer-left","peerId":"b"}'],
      [{ kind: 'left', room: r, reason: 'left' }, '{"type":"room-left","room":"r"}'],
      [{ kind: 'left', room: r, reason: 'kicked' }, '{"type":"room-left","room":"r","reason":"kicked"}'],
      [{ kind: 'room-ended', room: r }, '{"type":"room-left","room":"r","reason":"ended"}'],
      [{ kind: 'message', data: { text: 'hi' } }, '{"type":"server-message","data":{"text":"hi"}}'],
      [{ kind: 'error', code: 'room-full', details: { room: 'r', limit: 2 } }, '{"type":"error","message":"room-full","room":"r","limit":2}'],
    ];
    for (const [event, text] of frames) expect(codec.encode(event)).toBe(text);
    const extended = consoleDialect({ ...LIMITS, extensions: true });
    expect(extended.encode({ kind: 'error', code: 'not-in-room', details: {} })).toBe('{"type":"error","message":"not-in-room","code":"not-in-room"}');
    expect(extended.encode({ kind: 'resume-token', token: 't' })).toBe('{"type":"resume-token","token":"t"}');
  });

  it('writes a signal from another dialect in its own shapes', () => {
    const connect = signalOf(pinnedConnector(), '{"event":"Connect","to":"b","data":{"sdp":"v=0","candidate":"c"}}');
    expect(codec.encode({ kind: 'signal', from: 'a', signal: connect })).toBe('{"type":"offer","offer":"v=0","candidate":"c","from":"a"}');
    const candidate = signalOf(pinnedConnector(), '{"event":"Candidate","to":"b","data":{"candidate":"c"}}');
    expect(codec.encode({ kind: 'signal', from: 'a', signal: candidate })).toBe('{"type":"ice-candidate","candidate":{"candidate":"c"},"from":"a"}');
  });
});

describe('the connector codec, with a pinned clock and ids', () => {
  it('writes envelopes byte for byte as the Go original: struct order, sorted data, escapes, newline', () => {
    const codec = pinnedConnector();
    const r = room('r<1>', ['a', 'b'], 'Stand & up');
    expect(codec.encode({ kind: 'welcome', peerId: 'a' })).toBe(
      '{"type":"info","event":"Client_Details","data":{"id":"a"},"timestamp":"2026-12-01T10:20:30.45Z","message_id":"msg-1"}\n',
    );
    expect(codec.encode({ kind: 'joined', room: r, created: true })).toBe(
      '{"type":"info","event":"Room_Created","data":{"clients":["a","b"],"name":"Stand \\u0026 up","room":"r\\u003c1\\u003e"},"timestamp":"2026-12-01T10:20:30.45Z","message_id":"msg-2"}\n',
    );
    expect(codec.encode({ kind: 'room-peers', room: r, peers: ['b'] })).toBeUndefined();
    expect(codec.encode({ kind: 'error', code: 'room-exists', details: { room: 'r' } })).toBe(
      '{"type":"error","event":"Duplicate_Room","data":{"message":"r already exist"},"timestamp":"2026-12-01T10:20:30.45Z","message_id":"msg-3"}\n',
    );
    expect(codec.encode({ kind: 'message', data: { z: 1, a: 2 } })).toBe(
      '{"type":"info","event":"Server_Message","data":{"message":{"a":2,"z":1}},"timestamp":"2026-12-01T10:20:30.45Z","message_id":"msg-4"}\n',
    );
  });

  it('decodes in the original order: to, then the target (the core), then data; faults ride along', () => {
    const codec = pinnedConnector();
    expect(codec.decode('{"event":"create_rom","data":{"room":5}}')).toEqual({ kind: 'join', room: undefined, mode: 'create', name: '' });
    expect(codec.decode('{"event":"Join_Room","data":{"room":"r"}}')).toEqual({ kind: 'join', room: 'r', mode: 'existing' });
    expect(codeOf(codec.decode('{"event":"Dance"}'))).toBe('unsupported-event');
    expect(codec.decode('{"event":"Leave_Room","data":{}}')).toMatchObject({ code: 'missing-fields', details: { message: "'room' field is missing in the request." } });
    const faulty = codec.decode('{"event":"Connect","to":"b"}');
    expect(faulty).toMatchObject({ kind: 'signal', fault: { code: 'missing-fields' } });
    expect(codeOf(codec.decode('{"event":"Offer","to":"b","type":"info"}'))).toBe('reserved-type');
  });

  it('relays a connector frame without its to, with from, keys sorted', () => {
    const codec = pinnedConnector();
    const signal = signalOf(codec, '{"event":"Offer","to":"b","data":{"sdp":"<x>"}}');
    expect(codec.encode({ kind: 'signal', from: 'a', signal })).toBe('{"data":{"sdp":"\\u003cx\\u003e"},"event":"Offer","from":"a"}\n');
  });
});

describe('the peerjs codec', () => {
  const codec = peerjsDialect(LIMITS);

  it('relays {type, src, dst, payload} in that order, and ignores what the original ignores', () => {
    const signal = signalOf(codec, '{"type":"OFFER","dst":"b","payload":{"sdp":"v=0"},"extra":1}');
    expect(signal).toMatchObject({ type: 'offer', to: 'b' });
    expect(codec.encode({ kind: 'signal', from: 'a', signal })).toBe('{"type":"OFFER","src":"a","dst":"b","payload":{"sdp":"v=0"}}');
    expect(codec.decode('{"type":"HEARTBEAT"}')).toEqual({ kind: 'noop' });
    expect(codec.decode('{"type":"OFFER"}')).toEqual({ kind: 'noop' });
    expect(codeOf(codec.decode('nope'))).toBe('invalid-message');
    expect(codec.encode({ kind: 'welcome', peerId: 'a' })).toBe('{"type":"OPEN"}');
    expect(codec.encode({ kind: 'error', code: 'rate-limit', details: {} })).toBeUndefined();
  });
});

describe('the y-webrtc codec', () => {
  const codec = ywebrtcDialect(LIMITS);

  it('turns topics into joins and leaves, publishes with the subscriber count, and answers ping', () => {
    expect(codec.decode('{"type":"subscribe","topics":["a",1,"b"]}')).toEqual({
      kind: 'batch',
      commands: [
        { kind: 'join', room: 'a', mode: 'auto' },
        { kind: 'join', room: 'b', mode: 'auto' },
      ],
    });
    expect(codec.decode('{"type":"unsubscribe","topics":["a"]}')).toEqual({ kind: 'leave', room: 'a' });
    expect(codec.decode('{"type":"ping"}')).toEqual({ kind: 'reply', data: { type: 'pong' } });
    expect(codec.encode({ kind: 'reply', data: { type: 'pong' } })).toBe('{"type":"pong"}');
    const publish = signalOf(codec, '{"type":"publish","topic":"a","data":{"x":1}}');
    expect(publish.room).toBe('a');
    expect(codec.encode({ kind: 'signal', from: 'p', signal: publish, room: room('a', ['p', 'q']) })).toBe('{"type":"publish","topic":"a","data":{"x":1},"clients":2}');
    expect(codec.encode({ kind: 'message', data: 1 })).toBe('{"type":"server-message","data":1}');
    expect(codec.encode({ kind: 'peer-joined', room: room('a', ['p']), peerId: 'p' })).toBeUndefined();
  });
});
