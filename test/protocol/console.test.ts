import { describe, expect, it } from 'vitest';
import { TestClient } from '../helpers/client.js';
import { getJson, startServer } from '../helpers/server.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Joins `room` and consumes the joiner's two answers. */
async function join(client: TestClient, room: string): Promise<string[]> {
  client.send({ type: 'join-room', room });
  expect(await client.next()).toEqual({ type: 'room-joined', room });
  const peers = await client.next();
  expect(peers.type).toBe('room-peers');
  return peers.peers as string[];
}

async function pair(url: string, room = 'r1'): Promise<[TestClient, TestClient]> {
  const a = await TestClient.open(url);
  const b = await TestClient.open(url);
  await join(a, room);
  await join(b, room);
  expect(await a.next()).toEqual({ type: 'peer-joined', peerId: b.id });
  return [a, b];
}

describe('console dialect (docs/protocols.md, the console dialect)', () => {
  it('sends {"type":"id","id":<uuid v4>} as the first frame, compact', async () => {
    const { url } = await startServer();
    const client = await TestClient.open(url);
    expect(client.id).toMatch(UUID_V4);
    expect(client.raw[0]).toBe(`{"type":"id","id":"${client.id}"}`);
  });

  it('on join: room-joined to the joiner, peer-joined to the others, then room-peers in join order', async () => {
    const { url } = await startServer();
    const a = await TestClient.open(url);
    const b = await TestClient.open(url);
    const c = await TestClient.open(url);
    expect(await join(a, 'r')).toEqual([]);
    expect(await join(b, 'r')).toEqual([a.id]);
    expect(await a.next()).toEqual({ type: 'peer-joined', peerId: b.id });
    c.send({ type: 'join-room', room: 'r' });
    expect(c.raw.length).toBe(1);
    expect(await c.next()).toEqual({ type: 'room-joined', room: 'r' });
    expect(await a.next()).toEqual({ type: 'peer-joined', peerId: c.id });
    expect(await b.next()).toEqual({ type: 'peer-joined', peerId: c.id });
    expect(await c.next()).toEqual({ type: 'room-peers', peers: [a.id, b.id] });
    expect(c.raw.slice(1)).toEqual([`{"type":"room-joined","room":"r"}`, `{"type":"room-peers","peers":["${a.id}","${b.id}"]}`]);
    expect(a.raw.at(-1)).toBe(`{"type":"peer-joined","peerId":"${c.id}"}`);
  });

  it('on leave-room: room-left to the leaver, peer-left to the rest; the room empties and disappears', async () => {
    const { url, httpUrl } = await startServer();
    const [a, b] = await pair(url);
    b.send({ type: 'leave-room' });
    expect(await b.next()).toEqual({ type: 'room-left', room: 'r1' });
    expect(b.lastRaw()).toBe('{"type":"room-left","room":"r1"}');
    expect(await a.next()).toEqual({ type: 'peer-left', peerId: b.id });
    expect(a.lastRaw()).toBe(`{"type":"peer-left","peerId":"${b.id}"}`);
    a.send({ type: 'leave-room' });
    await a.next();
    expect(await getJson(`${httpUrl}/status`)).toEqual({ totalClients: 2, clients: [a.id, b.id], rooms: {} });
  });

  it('on disconnect: peer-left to the remaining members', async () => {
    const { url, httpUrl } = await startServer();
    const [a, b] = await pair(url);
    await b.close();
    expect(await a.next()).toEqual({ type: 'peer-left', peerId: b.id });
    expect(await getJson(`${httpUrl}/status`)).toEqual({ totalClients: 1, clients: [a.id], rooms: { r1: [a.id] } });
  });

  it('relays offer, answer and ice-candidate with every field kept and from stamped', async () => {
    const { url } = await startServer();
    const [a, b] = await pair(url);
    const offer = { type: 'offer', to: b.id, offer: { type: 'offer', sdp: 'v=0\r\n' }, extra: [1, { x: 'y' }] };
    a.send(offer);
    expect(await b.next()).toEqual({ ...offer, from: a.id });
    expect(b.lastRaw()).toBe(`${JSON.stringify(offer).slice(0, -1)},"from":"${a.id}"}`);
    b.send({ type: 'answer', to: a.id, answer: { type: 'answer', sdp: 'v=0' } });
    expect(await a.next()).toEqual({ type: 'answer', to: a.id, answer: { type: 'answer', sdp: 'v=0' }, from: b.id });
    a.send({ type: 'ice-candidate', to: b.id, candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host' } });
    expect(await b.next()).toMatchObject({ type: 'ice-candidate', from: a.id, candidate: { candidate: expect.any(String) } });
  });

  it('overwrites a client-supplied from in place (no spoofing)', async () => {
    const { url } = await startServer();
    const [a, b] = await pair(url);
    a.send({ type: 'offer', from: b.id, to: b.id, offer: {} });
    await b.next();
    expect(b.lastRaw()).toBe(`{"type":"offer","from":"${a.id}","to":"${b.id}","offer":{}}`);
  });

  it('relays any application type, and broadcasts a frame without to to the rest of the room', async () => {
    const { url } = await startServer();
    const [a, b] = await pair(url);
    const c = await TestClient.open(url);
    await join(c, 'r1');
    await a.next();
    await b.next();
    a.send({ type: 'chat', text: 'hi' });
    expect(await b.next()).toEqual({ type: 'chat', text: 'hi', from: a.id });
    expect(await c.next()).toEqual({ type: 'chat', text: 'hi', from: a.id });
    await a.expectNothingPending();
  });

  it('refuses unicast outside the room with a byte-identical error whether the id exists or not', async () => {
    const { url } = await startServer();
    const a = await TestClient.open(url);
    const b = await TestClient.open(url);
    await join(a, 'r1');
    await join(b, 'r2');
    a.send({ type: 'offer', to: b.id, offer: {} });
    await a.next();
    const existing = a.lastRaw().replace(b.id, '<to>');
    a.send({ type: 'offer', to: 'ffffffff-ffff-4fff-bfff-ffffffffffff', offer: {} });
    await a.next();
    const missing = a.lastRaw().replace('ffffffff-ffff-4fff-bfff-ffffffffffff', '<to>');
    expect(existing).toBe(missing);
    // Byte for byte the original's error.
    expect(existing).toBe('{"type":"error","message":"target-unavailable-or-different-room","to":"<to>"}');
    await b.expectNothingPending();
  });

  it('adds the error code as `code` for a connection that asked for extensions', async () => {
    const { url } = await startServer();
    const plain = await TestClient.open(url);
    const extended = await TestClient.open(`${url}/?extensions=1`);
    for (const client of [plain, extended]) client.send({ type: 'leave-room' });
    expect(await plain.next()).toEqual({ type: 'error', message: 'not-in-room' });
    expect(await extended.next()).toEqual({ type: 'error', message: 'not-in-room', code: 'not-in-room' });
  });

  it('broadcasts a frame whose `to` is null, as the original; answers "", 0 and false as unknown targets', async () => {
    const { url } = await startServer();
    const [a, b] = await pair(url);
    a.send({ type: 'chat', to: null, text: 'all' });
    expect(await b.next()).toEqual({ type: 'chat', to: null, text: 'all', from: a.id });
    expect(b.lastRaw()).toBe(`{"type":"chat","to":null,"text":"all","from":"${a.id}"}`);
    for (const to of ['', 0, false]) {
      a.send({ type: 'offer', to, offer: {} });
      expect(await a.next()).toEqual({ type: 'error', message: 'target-unavailable-or-different-room', to });
    }
    await b.expectNothingPending();
  });

  it('refuses signals and leave-room from a peer in no room with not-in-room', async () => {
    const { url } = await startServer();
    const a = await TestClient.open(url);
    const b = await TestClient.open(url);
    a.send({ type: 'leave-room' });
    expect(await a.next()).toEqual({ type: 'error', message: 'not-in-room' });
    a.send({ type: 'chat' });
    expect(await a.next()).toEqual({ type: 'error', message: 'not-in-room' });
    a.send({ type: 'offer', to: b.id, offer: {} });
    expect(await a.next()).toMatchObject({ message: 'target-unavailable-or-different-room', to: b.id });
  });

  it('moves a peer that joins another room: room-left to itself, peer-left to the old room', async () => {
    const { url, httpUrl } = await startServer();
    const [a, b] = await pair(url);
    b.send({ type: 'join-room', room: 'r2' });
    expect(await b.next()).toEqual({ type: 'room-left', room: 'r1' });
    expect(await b.next()).toEqual({ type: 'room-joined', room: 'r2' });
    expect(await b.next()).toEqual({ type: 'room-peers', peers: [] });
    expect(await a.next()).toEqual({ type: 'peer-left', peerId: b.id });
    expect(await getJson(`${httpUrl}/status`)).toEqual({
      totalClients: 2,
      clients: [a.id, b.id],
      rooms: { r1: [a.id], r2: [b.id] },
    });
  });

  it('answers a join of the current room with room-joined and room-peers again, and no churn', async () => {
    const { url } = await startServer();
    const [a, b] = await pair(url);
    b.send({ type: 'join-room', room: 'r1' });
    expect(await b.next()).toEqual({ type: 'room-joined', room: 'r1' });
    expect(await b.next()).toEqual({ type: 'room-peers', peers: [a.id] });
    await a.expectNothingPending();
  });

  it('reports /status with clients in connect order and members in join order', async () => {
    const { url, httpUrl } = await startServer();
    const a = await TestClient.open(url);
    const b = await TestClient.open(url);
    const c = await TestClient.open(url);
    await join(b, 'x');
    await join(a, 'x');
    await join(c, 'y');
    const response = await fetch(`${httpUrl}/status`);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.text()).toBe(
      JSON.stringify({ totalClients: 3, clients: [a.id, b.id, c.id], rooms: { x: [b.id, a.id], y: [c.id] } }),
    );
  });

  it('refuses the server-reserved types with reserved-type and relays none of them', async () => {
    const { url } = await startServer();
    const [a, b] = await pair(url);
    for (const type of ['id', 'room-joined', 'room-left', 'room-peers', 'peer-joined', 'peer-left', 'error']) {
      a.send({ type, to: b.id, peerId: 'forged' });
      expect(await a.next()).toEqual({ type: 'error', message: 'reserved-type' });
    }
    await b.expectNothingPending();
  });

  it('closes a room with room-full once it holds maxPeersPerRoom peers', async () => {
    const { url } = await startServer({ maxPeersPerRoom: 2 });
    const [a] = await pair(url);
    const c = await TestClient.open(url);
    c.send({ type: 'join-room', room: 'r1' });
    expect(await c.next()).toEqual({ type: 'error', message: 'room-full', room: 'r1', limit: 2 });
    await a.expectNothingPending();
  });

  it('keeps a peer in its old room when the room it switches to is full', async () => {
    const { url, httpUrl } = await startServer({ maxPeersPerRoom: 1 });
    const a = await TestClient.open(url);
    const b = await TestClient.open(url);
    await join(a, 'full');
    await join(b, 'mine');
    b.send({ type: 'join-room', room: 'full' });
    expect(await b.next()).toMatchObject({ message: 'room-full' });
    expect(await getJson(`${httpUrl}/status`)).toMatchObject({ rooms: { full: [a.id], mine: [b.id] } });
  });
});
