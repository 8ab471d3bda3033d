import { describe, expect, it } from 'vitest';
import { MemoryBackplane } from '../../src/cluster/index.js';
import type { Backplane } from '../../src/cluster/backplane.js';
import { redisBackplane } from '../../src/cluster/redis.js';
import { TestClient } from '../helpers/client.js';
import { REDIS_URL, redisAnswers } from '../helpers/redis.js';
import { startServer, type RunningServer } from '../helpers/server.js';

const haveRedis = await redisAnswers();

async function yServer(options: Record<string, unknown> = {}) {
  const server = await startServer({ dialects: { '/yjs': 'ywebrtc' }, ...options });
  return { ...server, yjs: `${server.url}/yjs` };
}

/** A y-webrtc signaling connection (no first frame: the original sends none). */
const open = (url: string) => TestClient.open(url, { welcome: false });

/** Proves nothing else was delivered: a ping's pong must be the very next frame. */
async function expectNothingPending(client: TestClient): Promise<void> {
  client.send({ type: 'ping' });
  const next = await client.next();
  if (next.type !== 'pong') throw new Error(`expected no pending frame, got ${JSON.stringify(next)}`);
}

/** Subscribes and waits until the server has handled it (frames are handled in order; a ping proves it). */
async function subscribe(client: TestClient, ...topics: string[]): Promise<void> {
  client.send({ type: 'subscribe', topics });
  await expectNothingPending(client);
}

describe('y-webrtc dialect (docs/protocols.md, the y-webrtc dialect)', () => {
  it('ping → {"type":"pong"}; subscribe and unsubscribe answer nothing', async () => {
    const { yjs } = await yServer();
    const client = await open(yjs);
    client.send({ type: 'ping' });
    expect(await client.next()).toEqual({ type: 'pong' });
    expect(client.lastRaw()).toBe('{"type":"pong"}');
    client.send({ type: 'subscribe', topics: ['doc'] });
    client.send({ type: 'unsubscribe', topics: ['doc'] });
    await expectNothingPending(client);
  });

  it('publish reaches every subscriber of the topic, the sender included, as sent with "clients" added', async () => {
    const { yjs, signaling } = await yServer();
    const [a, b, other] = [await open(yjs), await open(yjs), await open(yjs)];
    await subscribe(a, 'doc');
    await subscribe(b, 'doc', 'elsewhere');
    await subscribe(other, 'elsewhere');
    a.send({ type: 'publish', topic: 'doc', data: { type: 'announce', from: 'peer-a' } });
    const expected = '{"type":"publish","topic":"doc","data":{"type":"announce","from":"peer-a"},"clients":2}';
    expect(await b.next()).toEqual(JSON.parse(expected));
    expect(b.lastRaw()).toBe(expected);
    expect(await a.next()).toEqual(JSON.parse(expected));
    await expectNothingPending(other);
    expect(signaling.members('doc')).toHaveLength(2);
  });

  it('a subscriber that unsubscribes or disconnects no longer counts and no longer hears', async () => {
    const { yjs } = await yServer();
    const [a, b, c] = [await open(yjs), await open(yjs), await open(yjs)];
    for (const client of [a, b, c]) await subscribe(client, 'doc');
    b.send({ type: 'unsubscribe', topics: ['doc'] });
    await expectNothingPending(b);
    await c.close();
    a.send({ type: 'publish', topic: 'doc', data: 'x' });
    expect(await a.next()).toEqual({ type: 'publish', topic: 'doc', data: 'x', clients: 1 });
    await expectNothingPending(b);
  });

  it('ignores what the original ignores: no type, unknown types, a publish without topic, non-string topics', async () => {
    const { yjs, signaling } = await yServer();
    const client = await open(yjs);
    client.send({ hello: 1 });
    client.send({ type: 'whatever' });
    client.send({ type: 'publish', data: 1 });
    client.send({ type: 'subscribe', topics: [1, null, {}] });
    client.send({ type: 'subscribe' });
    await expectNothingPending(client);
    expect(signaling.roomCount).toBe(0);
  });

  it('refuses what the original could not: bad JSON, a publish to a topic one is not subscribed to, limits, hooks', async () => {
    const { yjs } = await yServer({ maxPeersPerRoom: 1, authorizeJoin: ({ room }: { room: string }) => room !== 'secret' });
    const [a, b] = [await open(yjs), await open(yjs)];
    a.send('not json');
    expect(await a.next()).toEqual({ type: 'error', message: 'invalid-message' });
    a.send({ type: 'publish', topic: 'doc', data: 1 });
    expect(await a.next()).toEqual({ type: 'error', message: 'not-in-room', room: 'doc' });
    await subscribe(a, 'doc');
    b.send({ type: 'subscribe', topics: ['doc'] });
    expect(await b.next()).toEqual({ type: 'error', message: 'room-full', room: 'doc', limit: 1 });
    b.send({ type: 'subscribe', topics: ['secret'] });
    expect(await b.next()).toEqual({ type: 'error', message: 'forbidden', room: 'secret' });
  });

  it('a subscribe to several topics pays one join each from the join budget', async () => {
    const { yjs, signaling } = await yServer({ joinBurst: 2, joinRate: 0.001 });
    const client = await open(yjs);
    client.send({ type: 'subscribe', topics: ['a', 'b', 'c'] });
    expect(await client.next()).toEqual({ type: 'error', message: 'rate-limit' });
    expect(signaling.rooms().map((room) => room.id)).toEqual(['a', 'b']);
  });
});

function topicsAcrossNodes(name: string, backplane: () => Backplane) {
  describe(`y-webrtc topics across two nodes (${name})`, () => {
    it('a publish on one node reaches the subscribers on the other; clients counts the whole cluster', async () => {
      const nodes: RunningServer[] = [];
      for (let i = 0; i < 2; i++) nodes.push(await startServer({ dialects: { '/yjs': 'ywebrtc' }, backplane: backplane() }));
      await Promise.all(nodes.map((node) => node.signaling.whenReady()));
      const [a, b] = [await open(`${nodes[0]?.url}/yjs`), await open(`${nodes[1]?.url}/yjs`)];
      await subscribe(a, 'doc');
      await subscribe(b, 'doc');
      // b's node applied its own join only after the shared state decided it, so both nodes know both members.
      b.send({ type: 'publish', topic: 'doc', data: { from: 'b' } });
      expect(await b.next()).toEqual({ type: 'publish', topic: 'doc', data: { from: 'b' }, clients: 2 });
      expect(await a.next()).toEqual({ type: 'publish', topic: 'doc', data: { from: 'b' }, clients: 2 });
      a.send({ type: 'publish', topic: 'doc', data: { from: 'a' } });
      expect(await b.next()).toEqual({ type: 'publish', topic: 'doc', data: { from: 'a' }, clients: 2 });
    });
  });
}

const bus = new MemoryBackplane();
topicsAcrossNodes('in-memory backplane', () => bus.node());
if (haveRedis) {
  const prefix = `signalroom-test:${globalThis.crypto.randomUUID()}:`;
  topicsAcrossNodes('Redis backplane', () => redisBackplane({ url: REDIS_URL, prefix }));
}
