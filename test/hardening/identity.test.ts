import { afterEach, describe, expect, it, vi } from 'vitest';
import type { IncomingMessage } from 'node:http';
import { openJoined, TestClient } from '../helpers/client.js';
import { startServer } from '../helpers/server.js';

/** Every user says who they are with `?user=`; the same user twice is one id, as with a JWT `sub`. */
const byUser = (request: IncomingMessage) => ({ id: new URL(request.url ?? '/', 'http://x').searchParams.get('user') ?? 'anon' });

afterEach(() => void vi.useRealTimers());

describe('one id, one peer: the newest connection wins', () => {
  it('a second tab replaces the first: closed with 4001 replaced, the room sees one peer-left, the new peer works', async () => {
    const { url, signaling } = await startServer({ authenticate: byUser });
    const bob = await openJoined(`${url}/?user=bob`, 'r');
    const first = await openJoined(`${url}/?user=alice`, 'r');
    expect(await bob.next()).toEqual({ type: 'peer-joined', peerId: 'alice' });
    const second = await TestClient.open(`${url}/?user=alice`);
    expect(await first.closed).toEqual({ code: 4001, reason: 'replaced' });
    expect(await bob.next()).toEqual({ type: 'peer-left', peerId: 'alice' });
    second.send({ type: 'join-room', room: 'r' });
    expect(await second.next()).toEqual({ type: 'room-joined', room: 'r' });
    expect(await second.next()).toEqual({ type: 'room-peers', peers: ['bob'] });
    expect(await bob.next()).toEqual({ type: 'peer-joined', peerId: 'alice' });
    second.send({ type: 'offer', to: 'bob', offer: { sdp: 'from the new tab' } });
    expect(await bob.next()).toMatchObject({ type: 'offer', from: 'alice' });
    await bob.expectNothingPending();
    expect(signaling.status()).toEqual({ totalClients: 2, clients: ['bob', 'alice'], rooms: { r: ['bob', 'alice'] } });
  });

  it('frames the old socket still sends while closing never act as the new peer', async () => {
    const { url, signaling } = await startServer({ authenticate: byUser });
    const bob = await openJoined(`${url}/?user=bob`, 'r');
    const first = await TestClient.open(`${url}/?user=alice`);
    // The old tab reads nothing more, so it has not seen its close frame and keeps talking as if nothing happened.
    (first.socket as unknown as { _socket: import('node:net').Socket })._socket.pause();
    const second = await openJoined(`${url}/?user=alice`, 'r');
    expect(await bob.next()).toEqual({ type: 'peer-joined', peerId: 'alice' });
    first.send({ type: 'join-room', room: 'elsewhere' });
    first.send({ type: 'chat', text: 'from the old tab' });
    (first.socket as unknown as { _socket: import('node:net').Socket })._socket.resume();
    await first.closed;
    await bob.expectNothingPending();
    await second.expectNothingPending();
    expect(signaling.peer('alice')?.rooms).toEqual(['r']);
  });

  it('a reload during the grace period: the new connection keeps the id after the old grace period ends', async () => {
    const { url, signaling } = await startServer({ authenticate: byUser, resumeGracePeriod: 10_000 });
    const bob = await openJoined(`${url}/?user=bob`, 'r');
    const old = await openJoined(`${url}/?user=alice&extensions=1`, 'r');
    expect(await bob.next()).toEqual({ type: 'peer-joined', peerId: 'alice' });
    // Only the server's timers are faked: sockets stay real.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const suspended = new Promise((resolve) => signaling.once('peer:suspend', resolve));
    old.terminate();
    await suspended;
    const reloaded = await openJoined(`${url}/?user=alice&extensions=1`, 'r');
    expect(await bob.next()).toEqual({ type: 'peer-left', peerId: 'alice' });
    expect(await bob.next()).toEqual({ type: 'peer-joined', peerId: 'alice' });
    vi.advanceTimersByTime(10_000); // the old grace period's end
    vi.useRealTimers();
    await bob.expectNothingPending();
    await reloaded.expectNothingPending();
    expect(signaling.status().rooms).toEqual({ r: ['bob', 'alice'] });
  });

  it('the replaced connection cannot come back by resuming: closed with 4001, the new peer untouched', async () => {
    const { url, signaling } = await startServer({ authenticate: byUser, resumeGracePeriod: 60_000 });
    const bob = await openJoined(`${url}/?user=bob`, 'r');
    const old = await openJoined(`${url}/?user=alice&extensions=1`, 'r');
    const token = await old.nextResumeToken();
    await bob.next();
    const current = await openJoined(`${url}/?user=alice&extensions=1`, 'r');
    await old.closed;
    expect(await bob.next()).toEqual({ type: 'peer-left', peerId: 'alice' });
    expect(await bob.next()).toEqual({ type: 'peer-joined', peerId: 'alice' });
    const back = await TestClient.open(`${url}/?user=alice&resume=${encodeURIComponent(token)}`, { welcome: false });
    expect(await back.closed).toEqual({ code: 4001, reason: 'replaced' });
    await current.expectNothingPending();
    await bob.expectNothingPending();
    current.send({ type: 'chat', text: 'still me' });
    expect(await bob.next()).toMatchObject({ type: 'chat', from: 'alice' });
    expect(signaling.peer('alice')?.rooms).toEqual(['r']);
  });

  it('without authentication, a replaced connection resuming gets a fresh id', async () => {
    const { url } = await startServer({ resumeGracePeriod: 60_000 });
    const a = await openJoined(`${url}/?extensions=1`, 'r');
    const token = await a.nextResumeToken();
    const b = await TestClient.open(`${url}/?resume=${encodeURIComponent(token)}`);
    expect(b.id).toBe(a.id);
    await a.closed;
    const replay = await TestClient.open(`${url}/?resume=${encodeURIComponent(token)}`);
    expect(replay.id).not.toBe(a.id);
    await b.expectNothingPending();
  });
});
