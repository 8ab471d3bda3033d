import { describe, expect, it, onTestFinished } from 'vitest';
import { WebSocket } from 'ws';
import { SignalingClient } from '../../src/client/index.js';
import { MemoryBackplane } from '../../src/cluster/index.js';
import { SignalingError } from '../../src/index.js';
import { openJoined, TestClient } from '../helpers/client.js';
import { AsyncQueue } from '../helpers/queue.js';
import { startServer } from '../helpers/server.js';

const CONNECTOR = { protocols: 'signalroom.connector.v1' };

describe('the server API on the handle attachSignaling returns', () => {
  it('join puts a peer into a room from server code: the peer and the members are told as for its own join', async () => {
    const { url, signaling } = await startServer();
    const a = await openJoined(url, 'lobby');
    const b = await TestClient.open(url);
    const room = await signaling.join(b.id, 'lobby');
    expect(room).toMatchObject({ id: 'lobby', members: [a.id, b.id] });
    expect(await b.next()).toEqual({ type: 'room-joined', room: 'lobby' });
    expect(await b.next()).toEqual({ type: 'room-peers', peers: [a.id] });
    expect(await a.next()).toEqual({ type: 'peer-joined', peerId: b.id });
    // A peer in the room already: nothing changes, nothing is sent.
    expect(await signaling.join(b.id, 'lobby')).toMatchObject({ members: [a.id, b.id] });
    expect(signaling.leave(b.id, 'lobby')).toBe(true);
    expect(await b.next()).toEqual({ type: 'room-left', room: 'lobby' });
    expect(await a.next()).toEqual({ type: 'peer-left', peerId: b.id });
    expect(signaling.leave(b.id, 'lobby')).toBe(false);
    await b.expectNothingPending();
  });

  it('join ignores authorizeJoin (server code decides) but keeps the room capacity, and rejects with a SignalingError', async () => {
    const { url, signaling } = await startServer({ maxPeersPerRoom: 1, authorizeJoin: () => false });
    const a = await TestClient.open(url);
    const b = await TestClient.open(url);
    await signaling.join(a.id, 'r');
    const refused = await signaling.join(b.id, 'r').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(SignalingError);
    expect(refused).toMatchObject({ code: 'room-full', details: { room: 'r', limit: 1 } });
    await expect(signaling.join('nobody', 'r')).rejects.toMatchObject({ code: 'peer-not-found' });
    await expect(signaling.join(b.id, '')).rejects.toMatchObject({ code: 'invalid-room-name' });
    await expect(signaling.join(b.id, 'r', { mode: 'create' })).rejects.toMatchObject({ code: 'room-exists' });
    await expect(signaling.join(b.id, 'elsewhere', { mode: 'existing' })).rejects.toMatchObject({ code: 'room-not-found' });
    // Refusals go to the server code, never to the peer.
    expect(await a.next()).toEqual({ type: 'room-joined', room: 'r' });
    expect(await a.next()).toEqual({ type: 'room-peers', peers: [] });
    await b.expectNothingPending();
    // A client's own join still asks the hook.
    b.send({ type: 'join-room', room: 'other' });
    expect(await b.next()).toMatchObject({ type: 'error', message: 'forbidden' });
  });

  it('send and broadcast reach console clients as server-message frames, and the SDK as its own event', async () => {
    const { url, signaling } = await startServer();
    const a = await openJoined(url, 'r');
    const queue = new AsyncQueue<unknown>();
    const sdk = new SignalingClient(url, { WebSocket: WebSocket as never, room: 'r' });
    onTestFinished(() => sdk.close());
    sdk.on('server-message', (data) => queue.push(data));
    const messages: unknown[] = [];
    sdk.on('message', (message) => messages.push(message));
    const id = await sdk.connect();
    expect(await a.next()).toEqual({ type: 'peer-joined', peerId: id });
    expect(signaling.send(id, { text: 'only you' })).toBe(true);
    expect(await queue.next()).toEqual({ text: 'only you' });
    expect(signaling.broadcast('r', { text: 'everyone' }, { except: id })).toBe(1);
    expect(await a.next()).toEqual({ type: 'server-message', data: { text: 'everyone' } });
    expect(signaling.broadcast('r', 'to all')).toBe(2);
    expect(await a.next()).toEqual({ type: 'server-message', data: 'to all' });
    expect(await queue.next()).toBe('to all');
    expect(messages).toEqual([]);
    // No peer may pass a frame off as the server's.
    a.send({ type: 'server-message', data: 'forged' });
    expect(await a.next()).toMatchObject({ type: 'error', message: 'reserved-type' });
    expect(signaling.send('nobody', 'x')).toBe(false);
  });

  it('a connector client gets a server message in the server\'s own envelope', async () => {
    const { url, signaling } = await startServer();
    const c = await TestClient.open(url, CONNECTOR);
    signaling.send(c.id, { text: 'hi' });
    const frame = await c.next();
    expect(frame).toMatchObject({ type: 'info', event: 'Server_Message', data: { message: { text: 'hi' } } });
    expect(c.lastRaw().endsWith('\n')).toBe(true);
  });

  it('server-side joins work across nodes of a cluster: the shared state decides and both nodes hear it', async () => {
    const bus = new MemoryBackplane();
    const one = await startServer({ backplane: bus.node(), maxPeersPerRoom: 2 });
    const two = await startServer({ backplane: bus.node(), maxPeersPerRoom: 2 });
    await Promise.all([one.signaling.whenReady(), two.signaling.whenReady()]);
    const a = await openJoined(one.url, 'r');
    const b = await TestClient.open(two.url);
    const c = await TestClient.open(two.url);
    await two.signaling.join(b.id, 'r');
    expect(await a.next()).toEqual({ type: 'peer-joined', peerId: b.id });
    await expect(two.signaling.join(c.id, 'r')).rejects.toMatchObject({ code: 'room-full' });
    expect(await one.signaling.roomMembers('r')).toEqual([a.id, b.id]);
  });

  it('transport events are the server\'s own: peer:suspend and peer:resume are on the handle, not on the core', async () => {
    const { url, signaling } = await startServer({ resumeGracePeriod: 60_000 });
    const events = new AsyncQueue<string>();
    signaling.on('peer:suspend', ({ peer, reason }) => events.push(`suspend ${peer.id} ${reason}`));
    signaling.on('peer:resume', ({ peer }) => events.push(`resume ${peer.id}`));
    const a = await TestClient.open(`${url}/?extensions=1`);
    const token = await a.nextResumeToken();
    a.terminate();
    expect(await events.next()).toBe(`suspend ${a.id} lost`);
    const back = await TestClient.open(`${url}/?resume=${encodeURIComponent(token)}`);
    expect(back.id).toBe(a.id);
    expect(await events.next()).toBe(`resume ${a.id}`);
  });
});
