import { expect, it } from 'vitest';
import type { StatusReport } from '../../src/index.js';
import type { Backplane } from '../../src/cluster/index.js';
import type { StandaloneOptions } from '../../src/standalone.js';
import { nextMatching, observed, observedOf } from '../helpers/backplane.js';
import { TestClient } from '../helpers/client.js';
import { getJson, startServer, type RunningServer } from '../helpers/server.js';

/** Joins a console client to `room` and consumes its two answers; returns the room's other peers. */
export async function join(client: TestClient, room: string): Promise<string[]> {
  client.send({ type: 'join-room', room });
  let frame = await client.next();
  while (frame.type !== 'room-peers') frame = await client.next();
  return frame.peers as string[];
}

const FAST = { clusterHeartbeatInterval: 100, clusterNodeTimeout: 400 };

/** Alice and Bob both on node `a` in room r; Bob's resume token for moving him over. */
async function bothOnFirstNode(a: RunningServer) {
  const alice = await TestClient.open(`${a.url}/?extensions=1`);
  await join(alice, 'r');
  const bob = await TestClient.open(`${a.url}/?extensions=1`);
  await join(bob, 'r');
  await alice.next();
  const token = await bob.nextResumeToken();
  return { alice, bob, token };
}

/**
 * The room for the outage tests: Alice and Amy on node `a` (so local delivery can be checked) and Bob on node `b`,
 * all in room r, every join notice consumed.
 */
export async function outageRoom(a: RunningServer, b: RunningServer) {
  const alice = await TestClient.open(`${a.url}/?extensions=1`);
  const amy = await TestClient.open(a.url);
  await join(alice, 'r');
  await join(amy, 'r');
  await alice.next();
  const bob = await TestClient.open(b.url);
  await join(bob, 'r');
  await alice.next();
  await amy.next();
  return { alice, amy, bob };
}

/**
 * Alice on node `a` and Bob on node `b`, both in `room` (joins are decided in the shared state, so Bob sees Alice
 * at once); Alice's peer-joined notice for Bob is consumed.
 */
export async function pairAcrossNodes(a: RunningServer, b: RunningServer, room: string): Promise<[TestClient, TestClient]> {
  const alice = await TestClient.open(`${a.url}/?extensions=1`);
  await join(alice, room);
  const bob = await TestClient.open(b.url);
  expect(await join(bob, room)).toEqual([alice.id]);
  expect(await alice.next()).toEqual({ type: 'peer-joined', peerId: bob.id });
  return [alice, bob];
}

/**
 * The semantics every backplane must give: two nodes behave exactly like one. `node()` makes a fresh
 * backplane handle on the same cluster.
 */
export function clusterSemantics(node: () => Backplane | Promise<Backplane>, options: StandaloneOptions = {}) {
  async function twoNodes(extra: StandaloneOptions = {}) {
    const a = await startServer({ ...FAST, ...options, ...extra, backplane: observed(await node()) });
    const b = await startServer({ ...FAST, ...options, ...extra, backplane: observed(await node()) });
    await a.signaling.syncCluster();
    await b.signaling.syncCluster();
    return [a, b] as const;
  }

  it('peers on two nodes in one room see each other join and leave, and room-peers lists the whole room', async () => {
    const [a, b] = await twoNodes();
    const alice = await TestClient.open(a.url);
    expect(await join(alice, 'r')).toEqual([]);
    const bob = await TestClient.open(b.url);
    expect(await join(bob, 'r')).toEqual([alice.id]);
    expect(await alice.next()).toEqual({ type: 'peer-joined', peerId: bob.id });
    bob.send({ type: 'leave-room' });
    expect(await alice.next()).toEqual({ type: 'peer-left', peerId: bob.id });
  });

  it('signals reach a peer on the other node, from stamped, and never cross rooms', async () => {
    const [a, b] = await twoNodes();
    const [alice, bob] = await pairAcrossNodes(a, b, 'r');
    alice.send({ type: 'offer', to: bob.id, offer: { sdp: 'cross-node' } });
    expect(await bob.nextUnless(alice)).toEqual({ type: 'offer', to: bob.id, offer: { sdp: 'cross-node' }, from: alice.id });
    bob.send({ type: 'chat', text: 'broadcast across nodes' });
    expect(await alice.next()).toEqual({ type: 'chat', text: 'broadcast across nodes', from: bob.id });
    const carol = await TestClient.open(b.url);
    await join(carol, 'other');
    alice.send({ type: 'offer', to: carol.id, offer: {} });
    expect(await alice.next()).toMatchObject({ code: 'target-unavailable-or-different-room' });
  });

  it('bursts of signals both ways across nodes, from many pairs at once, arrive whole and in order, with no error', async () => {
    const [a, b] = await twoNodes();
    const pairs = await Promise.all(Array.from({ length: 10 }, (_, i) => pairAcrossNodes(a, b, `burst-${i}`)));
    for (let i = 0; i < 30; i++) {
      for (const [alice, bob] of pairs) {
        alice.send({ type: 'ice-candidate', to: bob.id, candidate: { i } });
        bob.send({ type: 'ice-candidate', to: alice.id, candidate: { i } });
      }
    }
    for (const [alice, bob] of pairs) {
      for (let i = 0; i < 30; i++) {
        expect(await bob.next()).toMatchObject({ type: 'ice-candidate', candidate: { i }, from: alice.id });
        expect(await alice.next()).toMatchObject({ type: 'ice-candidate', candidate: { i }, from: bob.id });
      }
    }
  });

  it('/status reports the whole cluster on every node, and its bounded forms give counts and one room', async () => {
    const [a, b] = await twoNodes();
    const [alice, bob] = await pairAcrossNodes(a, b, 'r');
    const carol = await TestClient.open(b.url);
    await join(carol, 'elsewhere');
    for (const node of [a, b]) {
      const status = (await getJson(`${node.httpUrl}/status`)) as StatusReport;
      expect(status.totalClients).toBe(3);
      expect(new Set(status.clients)).toEqual(new Set([alice.id, bob.id, carol.id]));
      expect(status.rooms).toEqual({ r: [alice.id, bob.id], elsewhere: [carol.id] });
      expect(await getJson(`${node.httpUrl}/status?room=r`)).toEqual({ room: 'r', members: [alice.id, bob.id] });
      expect(await getJson(`${node.httpUrl}/status?view=summary`)).toEqual({ totalClients: 3, rooms: 2, nodes: 2 });
    }
    await bob.close();
    expect(await alice.next()).toEqual({ type: 'peer-left', peerId: bob.id });
    expect((await a.signaling.clusterStatus()).rooms).toEqual({ r: [alice.id], elsewhere: [carol.id] });
  });

  it('room capacity and ownership hold across nodes; a connector client sees the whole room', async () => {
    const [a, b] = await twoNodes({ maxPeersPerRoom: 2 });
    const owner = await TestClient.open(a.url, { protocols: 'signalroom.connector.v1' });
    owner.send({ event: 'Create_Room', data: { room: 'owned', name: 'Owned' } });
    await owner.next();
    const guest = await TestClient.open(b.url, { protocols: 'signalroom.connector.v1' });
    guest.send({ event: 'Join_Room', data: { room: 'owned' } });
    expect(await guest.next()).toMatchObject({ event: 'Client_Added', data: { clients: [owner.id, guest.id], name: 'Owned' } });
    expect(await owner.next()).toMatchObject({ event: 'Client_Added', data: { clients: [owner.id, guest.id] } });
    const third = await TestClient.open(`${b.url}/?extensions=1`);
    third.send({ type: 'join-room', room: 'owned' });
    expect(await third.next()).toMatchObject({ code: 'room-full' });
    guest.send({ event: 'End_Room', data: { room: 'owned' } });
    expect(await guest.next()).toMatchObject({ event: 'Unauthorised' });
    owner.send({ event: 'End_Room', data: { room: 'owned' } });
    expect(await owner.next()).toMatchObject({ event: 'Room_Deleted' });
    expect(await guest.next()).toMatchObject({ event: 'Room_Deleted' });
    // Node b ended the room for its guest in the same step as it told the guest.
    expect(b.signaling.room('owned')).toBeUndefined();
  });

  it('kick and endRoom from server code on one node reach peers on the other', async () => {
    const [a, b] = await twoNodes();
    const [alice, bob] = await pairAcrossNodes(a, b, 'k');
    expect(a.signaling.kick('k', bob.id)).toBe(true);
    expect(await bob.next()).toEqual({ type: 'room-left', room: 'k', reason: 'kicked' });
    expect(await alice.next()).toEqual({ type: 'peer-left', peerId: bob.id });
  });

  it('resume works when the client comes back on the other node', async () => {
    const [a, b] = await twoNodes({ resumeSecret: 'cluster-wide', resumeGracePeriod: 60_000 });
    const { alice, bob, token } = await bothOnFirstNode(a);
    const suspended = new Promise((resolve) => a.signaling.once('peer:suspend', resolve));
    bob.terminate();
    await suspended;
    const back = await TestClient.open(`${b.url}/?resume=${encodeURIComponent(token)}`);
    expect(back.id).toBe(bob.id);
    // Node a lets go of Bob when the takeover reaches its channel (nothing tells a client of it).
    await nextMatching(observedOf(a).nodeMessages, (message) => message.includes('"takeover"') && message.includes(bob.id));
    expect(a.signaling.peer(bob.id)).toBeUndefined();
    alice.send({ type: 'offer', to: bob.id, offer: { sdp: 'to the new node' } });
    expect(await back.nextUnless(alice)).toMatchObject({ type: 'offer', from: alice.id });
    await alice.expectNothingPending();
    expect(a.signaling.status().rooms).toEqual({ r: [alice.id, bob.id] });
  });

  it('resume on the other node while the old socket still lives retires that socket (4000) without a leave', async () => {
    const [a, b] = await twoNodes({ resumeSecret: 'cluster-wide' });
    const { alice, bob, token } = await bothOnFirstNode(a);
    const back = await TestClient.open(`${b.url}/?resume=${encodeURIComponent(token)}`);
    expect(back.id).toBe(bob.id);
    // Node a closes the old socket in the step in which it lets go of Bob.
    expect((await bob.closed).code).toBe(4000);
    expect(a.signaling.peer(bob.id)).toBeUndefined();
    alice.send({ type: 'chat', text: 'still one room' });
    expect(await back.next()).toMatchObject({ type: 'chat', from: alice.id });
    await alice.expectNothingPending();
    expect(a.signaling.status().rooms).toEqual({ r: [alice.id, bob.id] });
  });

  it('a graceful node shutdown makes its peers leave at once elsewhere', async () => {
    const [a, b] = await twoNodes();
    const [alice, bob] = await pairAcrossNodes(a, b, 'r');
    await b.close();
    expect(await alice.next()).toEqual({ type: 'peer-left', peerId: bob.id });
    expect(a.signaling.status()).toEqual({ totalClients: 1, clients: [alice.id], rooms: { r: [alice.id] } });
  });
}
