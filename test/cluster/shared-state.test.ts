import { describe, expect, it } from 'vitest';
import { MemoryBackplane, type Backplane, type BackplaneHandlers } from '../../src/cluster/index.js';
import { redisBackplane } from '../../src/cluster/redis.js';
import { TestClient, refusedStatus } from '../helpers/client.js';
import { REDIS_URL, redisAnswers } from '../helpers/redis.js';
import { getJson, startServer, type RunningServer } from '../helpers/server.js';
import { join, pairAcrossNodes } from './cluster-suite.js';

const haveRedis = await redisAnswers();
const inCi = process.env.CI === 'true';
const FAST = { clusterHeartbeatInterval: 100, clusterNodeTimeout: 400 };

/** A backplane that counts what reaches its node: how much of the cluster's traffic this node pays for. */
function counting(inner: Backplane): Backplane & { roomMessages: number; rooms: Set<string> } {
  const counted = Object.create(inner) as Backplane & { roomMessages: number; rooms: Set<string> };
  counted.roomMessages = 0;
  counted.rooms = new Set();
  Object.defineProperty(counted, 'connected', { get: () => inner.connected });
  counted.start = (nodeId: string, handlers: BackplaneHandlers) =>
    inner.start(nodeId, {
      ...handlers,
      onRoomMessage(room, message) {
        counted.roomMessages++;
        handlers.onRoomMessage(room, message);
      },
    });
  counted.subscribeRoom = (room: string) => {
    counted.rooms.add(room);
    return inner.subscribeRoom(room);
  };
  counted.unsubscribeRoom = (room: string) => {
    counted.rooms.delete(room);
    return inner.unsubscribeRoom(room);
  };
  return counted;
}

/** The shared state's guarantees that one node alone could not break: atomic joins, one id one peer, interest. */
function sharedStateSuite(node: () => Backplane) {
  async function twoNodes(extra: Parameters<typeof startServer>[0] = {}): Promise<[RunningServer, RunningServer]> {
    const a = await startServer({ ...FAST, ...extra, backplane: node() });
    const b = await startServer({ ...FAST, ...extra, backplane: node() });
    await Promise.all([a.signaling.whenReady(), b.signaling.whenReady()]);
    return [a, b];
  }

  it('racing joins on two nodes never overfill a room', async () => {
    const [a, b] = await twoNodes({ maxPeersPerRoom: 10 });
    const clients = await Promise.all(Array.from({ length: 20 }, (_, i) => TestClient.open(i % 2 === 0 ? a.url : b.url)));
    for (const client of clients) client.send({ type: 'join-room', room: 'race' });
    const answers = await Promise.all(clients.map((client) => client.next()));
    expect(answers.filter((frame) => frame.type === 'room-joined')).toHaveLength(10);
    expect(answers.filter((frame) => frame.message === 'room-full')).toHaveLength(10);
    expect((await a.signaling.roomMembers('race')).length).toBe(10);
  });

  it('two peers on two nodes joining a new room at the same moment each learn of the other', async () => {
    const [a, b] = await twoNodes();
    for (let round = 0; round < 5; round++) {
      const [alice, bob] = await Promise.all([TestClient.open(a.url), TestClient.open(b.url)]);
      const room = `together-${round}`;
      const [alicePeers, bobPeers] = await Promise.all([join(alice, room), join(bob, room)]);
      const aliceKnows = alicePeers.includes(bob.id) || (await alice.next()).peerId === bob.id;
      const bobKnows = bobPeers.includes(alice.id) || (await bob.next()).peerId === alice.id;
      expect([aliceKnows, bobKnows]).toEqual([true, true]);
      expect(alicePeers.length + bobPeers.length).toBe(1);
    }
  });

  it('two racing Create_Room on two nodes: exactly one creates it and owns it', async () => {
    const [a, b] = await twoNodes();
    const protocols = 'signalroom.connector.v1';
    const [one, two] = await Promise.all([TestClient.open(a.url, { protocols }), TestClient.open(b.url, { protocols })]);
    for (const client of [one, two]) client.send({ event: 'Create_Room', data: { room: 'contested' } });
    const answers = await Promise.all([one.next(), two.next()]);
    expect(answers.map((frame) => frame.event).sort()).toEqual(['Duplicate_Room', 'Room_Created']);
    const [owner, other] = answers[0]?.event === 'Room_Created' ? [one, two] : [two, one];
    other.send({ event: 'End_Room', data: { room: 'contested' } });
    expect(await other.next()).toMatchObject({ event: 'Unauthorised' });
    owner.send({ event: 'End_Room', data: { room: 'contested' } });
    expect(await owner.next()).toMatchObject({ event: 'Room_Deleted' });
  });

  it('one id is one peer cluster-wide: a second connection on another node takes over and the old socket is closed', async () => {
    const authenticate = () => ({ id: 'same-user' });
    const [a, b] = await twoNodes({ authenticate });
    const first = await TestClient.open(a.url);
    await join(first, 'r');
    const second = await TestClient.open(b.url);
    expect(second.id).toBe('same-user');
    const closed = await first.closed;
    expect(closed).toEqual({ code: 4001, reason: 'replaced' });
    expect(await join(second, 'r')).toEqual([]);
    const status = await a.signaling.clusterStatus();
    expect(status.clients.filter((id) => id === 'same-user')).toHaveLength(1);
    expect(status.rooms).toEqual({ r: ['same-user'] });
  });

  it('a node hears nothing of rooms its peers are not in', async () => {
    const quiet = counting(node());
    const a = await startServer({ ...FAST, backplane: node() });
    const b = await startServer({ ...FAST, backplane: quiet });
    await Promise.all([a.signaling.whenReady(), b.signaling.whenReady()]);
    const bystander = await TestClient.open(b.url);
    await join(bystander, 'elsewhere');
    const before = quiet.roomMessages;
    const [alice, bob] = await Promise.all([TestClient.open(a.url), TestClient.open(a.url)]);
    await join(alice, 'busy');
    await join(bob, 'busy');
    expect(await alice.next()).toEqual({ type: 'peer-joined', peerId: bob.id });
    for (let i = 0; i < 20; i++) alice.send({ type: 'offer', to: bob.id, offer: { sdp: `n${i}` } });
    for (let i = 0; i < 20; i++) await bob.next();
    await bob.close();
    expect(await alice.next()).toEqual({ type: 'peer-left', peerId: bob.id });
    expect(quiet.roomMessages).toBe(before);
    expect([...quiet.rooms]).toEqual(['elsewhere']);
    expect(b.signaling.roomCount).toBe(1);
    expect(b.signaling.peerCount).toBe(1);
  });

  it('a node stops following a room when its last peer there leaves', async () => {
    const followed = counting(node());
    const a = await startServer({ ...FAST, backplane: node() });
    const b = await startServer({ ...FAST, backplane: followed });
    await Promise.all([a.signaling.whenReady(), b.signaling.whenReady()]);
    const [alice, bob] = await pairAcrossNodes(a, b, 'r');
    expect([...followed.rooms]).toEqual(['r']);
    bob.send({ type: 'leave-room' });
    expect(await alice.next()).toEqual({ type: 'peer-left', peerId: bob.id });
    expect(b.signaling.roomCount).toBe(0);
    expect([...followed.rooms]).toEqual([]);
  });

  it('a room that empties and is made again is followed afresh, on both nodes', async () => {
    const [a, b] = await twoNodes();
    for (let round = 0; round < 3; round++) {
      const [alice, bob] = await pairAcrossNodes(a, b, 'again');
      alice.send({ type: 'offer', to: bob.id, offer: { round } });
      expect(await bob.next()).toMatchObject({ type: 'offer', offer: { round }, from: alice.id });
      await bob.close();
      expect(await alice.next()).toEqual({ type: 'peer-left', peerId: bob.id });
      await alice.close();
    }
  });

  it('a signal to a peer whose node is gone without a word is answered with an error, not dropped', async () => {
    const doomed = node();
    const a = await startServer({ ...FAST, clusterNodeTimeout: 60_000, backplane: node() });
    const b = await startServer({ ...FAST, clusterNodeTimeout: 60_000, backplane: doomed });
    await Promise.all([a.signaling.whenReady(), b.signaling.whenReady()]);
    const [alice, bob] = await pairAcrossNodes(a, b, 'r');
    await doomed.close(); // node b's engine connections drop, as if it were killed: nobody hears its channel
    alice.send({ type: 'offer', to: bob.id, offer: {} });
    expect(await alice.next()).toMatchObject({ type: 'error', message: 'target-unavailable-or-different-room', to: bob.id });
  });
}

describe('the shared state on the in-memory backplane', () => {
  const bus = new MemoryBackplane();
  sharedStateSuite(() => bus.node());

  it('a node reports ready and takes peers only once it has joined the cluster', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const inner = bus.node();
    const slow = Object.create(inner) as Backplane;
    Object.defineProperty(slow, 'connected', { get: () => inner.connected });
    slow.start = async (nodeId, handlers) => {
      await gate;
      return inner.start(nodeId, handlers);
    };
    const server = await startServer({ ...FAST, backplane: slow });
    expect((await fetch(`${server.httpUrl}/readyz`)).status).toBe(503);
    expect(await refusedStatus(server.url)).toBe(503);
    release();
    await server.signaling.whenReady();
    expect(await getJson(`${server.httpUrl}/readyz`)).toEqual({ status: 'ready' });
    const client = await TestClient.open(server.url);
    expect(client.id).not.toBe('');
  });
});

describe.skipIf(!haveRedis && !inCi)('the shared state on a real Redis', () => {
  const prefix = `signalroom-test:${globalThis.crypto.randomUUID()}:`;
  sharedStateSuite(() => redisBackplane({ url: REDIS_URL, prefix }));

  it('falls back to plain pub/sub when asked (Redis before 7)', async () => {
    const plain = `signalroom-test:${globalThis.crypto.randomUUID()}:`;
    const a = await startServer({ ...FAST, backplane: redisBackplane({ url: REDIS_URL, prefix: plain, pubsub: 'plain' }) });
    const b = await startServer({ ...FAST, backplane: redisBackplane({ url: REDIS_URL, prefix: plain, pubsub: 'plain' }) });
    await Promise.all([a.signaling.whenReady(), b.signaling.whenReady()]);
    const [alice, bob] = await pairAcrossNodes(a, b, 'r');
    alice.send({ type: 'offer', to: bob.id, offer: { sdp: 'plain' } });
    expect(await bob.next()).toMatchObject({ type: 'offer', from: alice.id });
  });
});
