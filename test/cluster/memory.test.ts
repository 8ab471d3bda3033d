import { describe, expect, it } from 'vitest';
import { MemoryBackplane } from '../../src/cluster/index.js';
import { TestClient } from '../helpers/client.js';
import { startServer } from '../helpers/server.js';
import { clusterSemantics, join, outageRoom } from './cluster-suite.js';

describe('cluster on the in-memory backplane', () => {
  const bus = new MemoryBackplane();
  clusterSemantics(() => bus.node());
});

describe('in-memory backplane faults', () => {
  it('answers cross-node sends with an error while the backplane is down; local delivery continues; state converges after', async () => {
    const bus = new MemoryBackplane();
    // Beats only when the test asks (syncCluster), so it knows when each node has written back and settled.
    const timing = { clusterHeartbeatInterval: 60_000, clusterNodeTimeout: 120_000 };
    const a = await startServer({ ...timing, backplane: bus.node() });
    const b = await startServer({ ...timing, backplane: bus.node() });
    const { alice, amy, bob } = await outageRoom(a, b);

    bus.setDown(true);
    expect(a.signaling.ready).toBe(false);
    alice.send({ type: 'offer', to: bob.id, offer: {} });
    expect(await alice.next()).toMatchObject({ code: 'target-unavailable-or-different-room', to: bob.id });
    alice.send({ type: 'offer', to: amy.id, offer: { sdp: 'local' } });
    expect(await amy.next()).toMatchObject({ type: 'offer', from: alice.id });
    // A join while the bus is down is seen elsewhere once it is back.
    const carol = await TestClient.open(a.url);
    await join(carol, 'r');
    bus.setDown(false);
    // The first beat of each node waits for the write-back the reconnect started; the second settles who is gone.
    for (let round = 0; round < 2; round++) for (const node of [a, b]) await node.signaling.syncCluster();
    expect(b.signaling.members('r')).toEqual([alice.id, amy.id, bob.id, carol.id]);
    expect(b.signaling.status().rooms).toEqual(a.signaling.status().rooms);
  });
});
