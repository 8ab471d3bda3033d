import { describe, expect, it } from 'vitest';
import { TestClient } from '../helpers/client.js';
import { getJson, startServer } from '../helpers/server.js';

const INVALID = { type: 'error', message: 'invalid-message' };
const INVALID_ROOM = { type: 'error', message: 'invalid-room-name', limit: 128 };

/** A bystander pair in room `calm` that must keep signalling whatever the attacker does. */
async function bystanders(url: string): Promise<() => Promise<void>> {
  const a = await TestClient.open(url);
  const b = await TestClient.open(url);
  a.send({ type: 'join-room', room: 'calm' });
  await a.next();
  await a.next();
  b.send({ type: 'join-room', room: 'calm' });
  await b.next();
  await b.next();
  await a.next();
  return async () => {
    a.send({ type: 'offer', to: b.id, offer: { sdp: 'still here' } });
    expect(await b.next()).toMatchObject({ type: 'offer', from: a.id, offer: { sdp: 'still here' } });
  };
}

describe('bad input: a clear answer, the connection stays usable, nobody else is affected', () => {
  it.each([
    ['non-JSON text', 'hello'],
    ['null', 'null'],
    ['an array', '[{"type":"join-room","room":"x"}]'],
    ['a number', '42'],
    ['a string', '"join-room"'],
    ['an empty frame', ''],
    ['a missing type', '{"room":"x"}'],
    ['a numeric type', '{"type":7}'],
    ['a null type', '{"type":null}'],
    ['an object type', '{"type":{"x":1}}'],
  ])('answers %s with invalid-message', async (_, text) => {
    const { url } = await startServer();
    const stillSignalling = await bystanders(url);
    const attacker = await TestClient.open(url);
    attacker.send(text);
    expect(await attacker.next()).toEqual(INVALID);
    expect(attacker.lastRaw()).toBe('{"type":"error","message":"invalid-message"}');
    attacker.send({ type: 'join-room', room: 'after' });
    expect(await attacker.next()).toEqual({ type: 'room-joined', room: 'after' });
    await stillSignalling();
  });

  it('answers a binary frame with invalid-message and relays nothing', async () => {
    const { url } = await startServer();
    const stillSignalling = await bystanders(url);
    const attacker = await TestClient.open(url);
    attacker.send(Buffer.from(JSON.stringify({ type: 'join-room', room: 'calm' })));
    expect(await attacker.next()).toEqual(INVALID);
    await stillSignalling();
  });

  it('answers frames nested deeper than maxDepth with invalid-message', async () => {
    const { url } = await startServer({ maxDepth: 4 });
    const client = await TestClient.open(url);
    client.send({ type: 'join-room', room: 'r', a: { b: { c: 1 } } });
    expect(await client.next()).toEqual({ type: 'room-joined', room: 'r' });
    await client.next();
    client.send({ type: 'chat', a: { b: { c: { d: { e: 1 } } } } });
    expect(await client.next()).toEqual(INVALID);
    client.send({ type: 'chat', a: [[[1]]] }); // four levels: at the bound
    await client.expectNothingPending();
  });

  it('survives 60,000 nested arrays at the default depth', async () => {
    const { url } = await startServer();
    const stillSignalling = await bystanders(url);
    const attacker = await TestClient.open(url);
    attacker.send(`${'['.repeat(30_000)}${']'.repeat(30_000)}`);
    expect(await attacker.next()).toEqual(INVALID);
    attacker.send(`{"type":"chat","x":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`);
    expect(await attacker.next()).toEqual(INVALID);
    await stillSignalling();
  });

  it.each([
    ['an empty room name', { type: 'join-room', room: '' }],
    ['a missing room name', { type: 'join-room' }],
    ['a numeric room name', { type: 'join-room', room: 5 }],
    ['a null room name', { type: 'join-room', room: null }],
    ['an object room name', { type: 'join-room', room: { toString: 'x' } }],
    ['a 129-character room name', { type: 'join-room', room: 'x'.repeat(129) }],
  ])('answers %s with invalid-room-name and leaves no ghost in /status', async (_, frame) => {
    const { url, httpUrl } = await startServer();
    const client = await TestClient.open(url);
    client.send(frame);
    const answer = await client.next();
    expect(answer.message).toBe('invalid-room-name');
    expect(await getJson(`${httpUrl}/status`)).toEqual({ totalClients: 1, clients: [client.id], rooms: {} });
  });

  it('accepts a room name of exactly maxRoomIdLength characters', async () => {
    const { url } = await startServer();
    const client = await TestClient.open(url);
    const room = 'x'.repeat(128);
    client.send({ type: 'join-room', room });
    expect(await client.next()).toEqual({ type: 'room-joined', room });
    expect(await client.next()).toEqual({ type: 'room-peers', peers: [] });
    client.send({ type: 'join-room', room: `${room}y` });
    expect(await client.next()).toEqual(INVALID_ROOM);
  });

  it.each(['__proto__', 'constructor', 'hasOwnProperty', 'toString'])(
    'treats a room named %s as an ordinary room',
    async (room) => {
      const { url, httpUrl } = await startServer();
      const a = await TestClient.open(url);
      const b = await TestClient.open(url);
      a.send({ type: 'join-room', room });
      expect(await a.next()).toEqual({ type: 'room-joined', room });
      expect(await a.next()).toEqual({ type: 'room-peers', peers: [] });
      b.send({ type: 'join-room', room });
      await b.next();
      expect(await b.next()).toEqual({ type: 'room-peers', peers: [a.id] });
      const status = await (await fetch(`${httpUrl}/status`)).text();
      expect(status).toBe(JSON.stringify({ totalClients: 2, clients: [a.id, b.id], rooms: { [room]: [a.id, b.id] } }).replace('"rooms":{}', `"rooms":{"${room}":["${a.id}","${b.id}"]}`));
      expect(Object.getPrototypeOf({})).toBe(Object.prototype);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    },
  );

  it('relays hostile keys as data without touching Object.prototype', async () => {
    const { url } = await startServer();
    const a = await TestClient.open(url);
    const b = await TestClient.open(url);
    for (const client of [a, b]) {
      client.send({ type: 'join-room', room: 'r' });
      await client.next();
      await client.next();
    }
    await a.next();
    a.send(`{"type":"chat","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}`);
    const received = await b.next();
    expect(Object.keys(received)).toContain('__proto__');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('closes a frame over maxMessageSize with 1009; everyone else is unaffected', async () => {
    const { url, httpUrl } = await startServer();
    const stillSignalling = await bystanders(url);
    const attacker = await TestClient.open(url);
    attacker.send({ type: 'join-room', room: 'loud' });
    await attacker.next();
    await attacker.next();
    attacker.send({ type: 'chat', blob: 'x'.repeat(64 * 1024) });
    expect((await attacker.closed).code).toBe(1009);
    const status = (await getJson(`${httpUrl}/status`)) as { totalClients: number; rooms: Record<string, string[]> };
    expect(status.totalClients).toBe(2);
    expect(status.rooms).toEqual({ calm: expect.any(Array) });
    await stillSignalling();
  });

  it('accepts a frame of exactly maxMessageSize bytes', async () => {
    const { url } = await startServer({ maxMessageSize: 1000 });
    const client = await TestClient.open(url);
    const frame = `{"type":"chat","pad":"${'x'.repeat(1000 - 24)}"}`;
    expect(Buffer.byteLength(frame)).toBe(1000);
    client.send(frame);
    expect(await client.next()).toMatchObject({ message: 'not-in-room' });
    client.send(`${frame} `);
    expect((await client.closed).code).toBe(1009);
  });

  it('closes invalid UTF-8 text with 1007 and keeps serving', async () => {
    const { url } = await startServer();
    const stillSignalling = await bystanders(url);
    const attacker = await TestClient.open(url);
    // ws would refuse to send invalid UTF-8 as text, so write a raw masked text frame.
    const payload = Buffer.from([0xff, 0xfe]);
    const mask = Buffer.from([1, 2, 3, 4]);
    const masked = payload.map((byte, i) => byte ^ (mask[i % 4] as number));
    const underlying = (attacker.socket as unknown as { _socket: import('node:net').Socket })._socket;
    underlying.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]));
    expect((await attacker.closed).code).toBe(1007);
    await stillSignalling();
  });
});
