import { Redis } from 'ioredis';
import { describe, expect, it, onTestFinished } from 'vitest';
import { redisBackplane } from '../../src/cluster/redis.js';
import { observed } from '../helpers/backplane.js';
import { TestClient } from '../helpers/client.js';
import { startCli, type RunningCli } from '../helpers/cli.js';
import { AsyncQueue } from '../helpers/queue.js';
import { OwnRedis, REDIS_URL, redisAnswers } from '../helpers/redis.js';
import { getJson, startServer } from '../helpers/server.js';
import { TcpGate } from '../helpers/tcp-gate.js';
import { clusterSemantics, join, outageRoom } from './cluster-suite.js';

const haveRedis = await redisAnswers();
const inCi = process.env.CI === 'true';
if (!haveRedis && !inCi) {
  console.warn(
    `\n  SKIPPED: the Redis cluster tests (test/cluster/redis.test.ts) need a Redis at ${REDIS_URL}.\n` +
      '  Start one with `redis-server --daemonize yes --port 6379 --save "" --appendonly no` (as .ci/run does),\n' +
      '  or set REDIS_URL, and run `npm test` again.\n',
  );
}

/** Beats only when the test asks (syncCluster), so it knows when each node has written back and settled. */
const ON_REQUEST = { clusterHeartbeatInterval: 60_000, clusterNodeTimeout: 120_000 };

type Status = { clients: string[]; rooms: Record<string, string[]> };

/**
 * Two standalone processes on a Redis of the test's own; Alice on the first and Bob on the second, in room r
 * (Bob joins once his node lists Alice there); Alice's peer-joined notice for Bob is consumed.
 */
async function twoStandaloneNodes(env: Record<string, string> = {}) {
  const redis = await OwnRedis.start();
  const one = await startCli({ REDIS_URL: redis.url, ...FAST_ENV, ...env });
  const two = await startCli({ REDIS_URL: redis.url, ...FAST_ENV, ...env });
  await Promise.all([joined(one), joined(two)]);
  const alice = await TestClient.open(`ws://127.0.0.1:${one.port}`);
  await join(alice, 'r');
  const bob = await TestClient.open(`ws://127.0.0.1:${two.port}`);
  // Joins are decided in Redis: Alice's answer came once her join was there, so Bob's join sees her.
  expect(await join(bob, 'r')).toEqual([alice.id]);
  expect(await alice.next()).toEqual({ type: 'peer-joined', peerId: bob.id });
  return { one, two, alice, bob };
}

/** The cluster-wide /status of a standalone node. */
const statusOf = (port: number) => getJson(`http://127.0.0.1:${port}/status`) as Promise<Status>;

/** Resolves once a standalone node has joined the cluster: the line it logs when the backplane is up. */
async function joined(cli: RunningCli): Promise<void> {
  await cli.waitFor(/"event":"backplane-up"/);
}
// Info: the node says when it has joined the cluster (backplane-up).
const FAST_ENV = { CLUSTER_HEARTBEAT_INTERVAL: '200', CLUSTER_NODE_TIMEOUT: '1000', LOG_LEVEL: 'info' };

describe.skipIf(!haveRedis && !inCi)('cluster on a real Redis', () => {
  describe('semantics identical to one node', () => {
    // A prefix per run: tests share the machine's Redis with anything else on it.
    const prefix = `signalroom-test:${globalThis.crypto.randomUUID()}:`;
    clusterSemantics(() => redisBackplane({ url: REDIS_URL, prefix }));
  });

  // ioredis 5 writes a SUBSCRIBE/SSUBSCRIBE given while a connection's handshake is under way at once; its
  // reply puts the connection in subscriber mode, the handshake's INFO is then refused, and the reconnect that
  // follows does not resubscribe (redis/ioredis#2037): the node was deaf to its own channel for good.
  for (const pubsub of ['sharded', 'plain'] as const) {
    it(`a node that starts while its Redis connections are still in their handshake hears its channel (${pubsub} pub/sub)`, async () => {
      const gate = await TcpGate.start(REDIS_URL);
      const prefix = `signalroom-test:${globalThis.crypto.randomUUID()}:`;
      const backplane = redisBackplane({ url: gate.url, prefix, pubsub });
      onTestFinished(() => backplane.close());
      await gate.talking.next(); // both connections are open, neither has finished its handshake
      await gate.talking.next();
      const heard = new AsyncQueue<string>();
      const nodeId = globalThis.crypto.randomUUID();
      const started = backplane.start(nodeId, {
        onNodeMessage: (message) => heard.push(message),
        onRoomMessage: () => {},
        onReconnect: () => heard.push('reconnect'),
        onDisconnect: () => heard.push('disconnect'),
      });
      gate.release();
      await started;
      expect(backplane.connected).toBe(true);
      const other = new Redis(REDIS_URL);
      onTestFinished(() => other.disconnect());
      const channel = `{${prefix}}node:${nodeId}`;
      const receivers = pubsub === 'sharded' ? await other.spublish(channel, 'hello') : await other.publish(channel, 'hello');
      expect(receivers).toBe(1);
      expect(await heard.next()).toBe('hello');
      expect(heard.pending).toEqual([]);
    });
  }

  it('Redis outage: local delivery continues, cross-node sends answer an error, then Redis comes back empty and the state converges', async () => {
    const redis = await OwnRedis.start();
    const planes = [observed(redisBackplane({ url: redis.url })), observed(redisBackplane({ url: redis.url }))] as const;
    const a = await startServer({ ...ON_REQUEST, backplane: planes[0] });
    const b = await startServer({ ...ON_REQUEST, backplane: planes[1] });
    await Promise.all([a.signaling.whenReady(), b.signaling.whenReady()]);
    const { alice, amy, bob } = await outageRoom(a, b);

    await redis.stop();
    await planes[0].disconnects.next();
    expect(a.signaling.ready).toBe(false);
    alice.send({ type: 'offer', to: bob.id, offer: {} });
    expect(await alice.next()).toMatchObject({ code: 'target-unavailable-or-different-room', to: bob.id });
    alice.send({ type: 'offer', to: amy.id, offer: { sdp: 'local still works' } });
    expect(await amy.next()).toMatchObject({ type: 'offer', from: alice.id });
    const carol = await TestClient.open(a.url);
    await join(carol, 'r'); // joins during the outage

    await redis.restart(); // empty: every node must re-announce itself
    await Promise.all(planes.map((plane) => plane.reconnects.next()));
    // The first beat of each node waits for the write-back the reconnect started; the second settles who is gone.
    for (let round = 0; round < 2; round++) for (const node of [a, b]) await node.signaling.syncCluster();
    expect(b.signaling.members('r')).toEqual([alice.id, amy.id, bob.id, carol.id]);
    expect(b.signaling.status().rooms).toEqual(a.signaling.status().rooms);
    alice.send({ type: 'offer', to: bob.id, offer: { sdp: 'after the outage' } });
    let frame = await bob.next();
    while (frame.type !== 'offer') frame = await bob.next();
    expect(frame).toMatchObject({ offer: { sdp: 'after the outage' }, from: alice.id });
  }, 30_000);

  it('standalone nodes with REDIS_URL: a node killed with SIGKILL has its peers removed elsewhere within 15 s', async () => {
    const { one, two, alice, bob } = await twoStandaloneNodes();
    bob.send({ type: 'offer', to: alice.id, offer: { sdp: 'between processes' } });
    expect(await alice.nextUnless(bob)).toMatchObject({ type: 'offer', from: bob.id });

    const killedAt = Date.now();
    one.child.kill('SIGKILL');
    let frame = await bob.next();
    while (frame.type !== 'peer-left') frame = await bob.next();
    expect(frame).toEqual({ type: 'peer-left', peerId: alice.id });
    expect(Date.now() - killedAt).toBeLessThan(15_000);
    expect((await statusOf(two.port)).clients).toEqual([bob.id]);
  }, 30_000);

  it('standalone nodes: a node that stalls for less than the node timeout comes back without a leave or a join', async () => {
    const { one, alice, bob } = await twoStandaloneNodes({ CLUSTER_NODE_TIMEOUT: '3000' });
    one.child.kill('SIGSTOP');
    // The stall itself is what is tested: a fixed length well under the 3 s node timeout.
    await new Promise((resolve) => setTimeout(resolve, 500));
    one.child.kill('SIGCONT');
    alice.send({ type: 'offer', to: bob.id, offer: { sdp: 'after the stall' } });
    expect(await bob.nextUnless(alice)).toMatchObject({ type: 'offer', from: alice.id });
    await bob.expectNothingPending();
    await alice.expectNothingPending();
  }, 30_000);

  it('standalone nodes: a node frozen past the node timeout is declared dead, then writes its peers back once, without duplicates', async () => {
    // A 3 s lease, so a busy machine (the whole suite on two cores) does not expire the live node's lease too; the
    // freeze itself lasts as long as it takes the other node to declare this one dead.
    const { one, two, alice, bob } = await twoStandaloneNodes({ CLUSTER_NODE_TIMEOUT: '3000' });
    one.child.kill('SIGSTOP');
    let frame = await bob.next();
    while (frame.type !== 'peer-left') frame = await bob.next();
    expect(frame).toEqual({ type: 'peer-left', peerId: alice.id });
    one.child.kill('SIGCONT');
    frame = await bob.next();
    while (frame.type !== 'peer-joined') frame = await bob.next();
    expect(frame).toEqual({ type: 'peer-joined', peerId: alice.id });
    // Node one wrote Alice back in one step, her directory entry with her rooms: Bob heard of it, so it is there.
    const status = await statusOf(two.port);
    expect(status.clients.sort()).toEqual([alice.id, bob.id].sort());
    expect(status.rooms.r?.sort()).toEqual([alice.id, bob.id].sort());
    alice.send({ type: 'offer', to: bob.id, offer: { sdp: 'back' } });
    expect(await bob.nextUnless(alice)).toMatchObject({ type: 'offer', from: alice.id });
    await alice.expectNothingPending();
  }, 30_000);

  it('standalone nodes: a graceful shutdown makes the node\'s peers leave at once', async () => {
    // Node death takes a minute here, longer than the test may run: only the shutdown's own events can do it.
    const { one, bob, alice } = await twoStandaloneNodes({ CLUSTER_NODE_TIMEOUT: '60000' });
    one.child.kill('SIGTERM');
    expect(await one.exited).toBe(0);
    let frame = await bob.next();
    while (frame.type !== 'peer-left') frame = await bob.next();
    expect(frame).toEqual({ type: 'peer-left', peerId: alice.id });
  }, 30_000);
});
