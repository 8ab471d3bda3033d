import { describe, expect, it } from 'vitest';
import { MemoryBackplane } from '../../src/cluster/index.js';
import type { Backplane } from '../../src/cluster/backplane.js';
import { redisBackplane } from '../../src/cluster/redis.js';
import { nextMatching, observed, observedOf } from '../helpers/backplane.js';
import { TestClient } from '../helpers/client.js';
import { expectNothingPending, openPeer, peerjsUrl } from '../helpers/peerjs.js';
import { REDIS_URL, redisAnswers } from '../helpers/redis.js';
import { startServer, type RunningServer } from '../helpers/server.js';

const haveRedis = await redisAnswers();

/**
 * Resolves once the node `server` wrote `id` into the shared directory (a peer's `OPEN` goes out before that write
 * is answered), so every node finds it there from then on.
 */
const inDirectory = (server: RunningServer, id: string) => nextMatching(observedOf(server).claimed, (claimed) => claimed === id);

function peerjsAcrossNodes(name: string, backplane: () => Backplane) {
  describe(`peerjs across two nodes (${name})`, () => {
    async function twoNodes(peerjs: Record<string, unknown> = {}) {
      const nodes: RunningServer[] = [];
      for (let i = 0; i < 2; i++) nodes.push(await startServer({ peerjs: { path: '/p', ...peerjs }, backplane: observed(backplane()) }));
      await Promise.all(nodes.map((node) => node.signaling.whenReady()));
      return nodes.map((node) => ({ node, base: `${node.url}/p` })) as [{ node: RunningServer; base: string }, { node: RunningServer; base: string }];
    }

    it('relays by id between peers on different nodes, src stamped', async () => {
      const [a, b] = await twoNodes();
      const alice = await openPeer(a.base, 'alice');
      const bob = await openPeer(b.base, 'bob');
      await inDirectory(b.node, 'bob');
      alice.send({ type: 'OFFER', dst: 'bob', payload: { sdp: 'v=0' } });
      expect(await bob.next()).toEqual({ type: 'OFFER', src: 'alice', dst: 'bob', payload: { sdp: 'v=0' } });
      bob.send({ type: 'ANSWER', dst: 'alice', payload: { sdp: 'v=1' } });
      expect(await alice.next()).toEqual({ type: 'ANSWER', src: 'bob', dst: 'alice', payload: { sdp: 'v=1' } });
    });

    it('ID-TAKEN is cluster-wide: the id connected on one node refuses another token on the other', async () => {
      const [a, b] = await twoNodes();
      const alice = await openPeer(a.base, 'alice', 'token-1');
      await inDirectory(a.node, 'alice');
      const thief = await TestClient.open(peerjsUrl(b.base, { id: 'alice', token: 'token-2' }), { welcome: false });
      expect(await thief.next()).toEqual({ type: 'ID-TAKEN', payload: { msg: 'ID is taken' } });
      await thief.closed;
      await expectNothingPending(alice);
      // The same token on the other node is the same client: it takes the id over there.
      const moved = await openPeer(b.base, 'alice', 'token-1');
      expect((await alice.closed).code).toBe(4001);
      await expectNothingPending(moved);
    });

    it('a message held on the sender\'s node reaches its destination when it connects on the other node', async () => {
      const [a, b] = await twoNodes();
      const alice = await openPeer(a.base, 'alice');
      alice.send({ type: 'OFFER', dst: 'bob', payload: { n: 1 } });
      alice.send({ type: 'CANDIDATE', dst: 'bob', payload: { n: 2 } });
      await expectNothingPending(alice); // both are held by now (the probe went the same way after them)
      const bob = await TestClient.open(peerjsUrl(b.base, { id: 'bob' }), { welcome: false });
      expect(await bob.next()).toEqual({ type: 'OPEN' });
      expect(await bob.next()).toEqual({ type: 'OFFER', src: 'alice', dst: 'bob', payload: { n: 1 } });
      expect(await bob.next()).toEqual({ type: 'CANDIDATE', src: 'alice', dst: 'bob', payload: { n: 2 } });
    });

    it('a held message that finds nobody on any node expires back to its sender', async () => {
      const [a] = await twoNodes({ expire_timeout: 100 });
      const alice = await openPeer(a.base, 'alice');
      alice.send({ type: 'OFFER', dst: 'nobody', payload: {} });
      expect(await alice.next()).toEqual({ type: 'EXPIRE', src: 'nobody', dst: 'alice' });
    });
  });
}

const bus = new MemoryBackplane();
peerjsAcrossNodes('in-memory backplane', () => bus.node());
if (haveRedis) {
  const prefix = `signalroom-test:${globalThis.crypto.randomUUID()}:`;
  peerjsAcrossNodes('Redis backplane', () => redisBackplane({ url: REDIS_URL, prefix }));
}
