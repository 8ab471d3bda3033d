import net from 'node:net';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { signToken } from '../../src/auth/index.js';
import { refusedStatus, TestClient } from '../helpers/client.js';
import { getJson, startServer } from '../helpers/server.js';

/** Writes raw bytes to the server and resolves with its first response line. */
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(text));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('close', () => resolve(answer.split('\r\n')[0] ?? ''));
    socket.on('error', reject);
  });
}

describe('origin allowlist', () => {
  it('answers a foreign browser Origin with 403 before the upgrade; allowed and origin-less clients connect', async () => {
    const { url, signaling } = await startServer({ allowedOrigins: ['https://app.example'] });
    expect(await refusedStatus(url, { origin: 'https://evil.example' })).toBe(403);
    expect(signaling.peerCount).toBe(0);
    await TestClient.open(url, { ws: { origin: 'https://app.example' } });
    await TestClient.open(url);
    expect(signaling.peerCount).toBe(2);
  });

  it('takes a predicate', async () => {
    const { url } = await startServer({ allowedOrigins: (origin) => origin.endsWith('.example') });
    expect(await refusedStatus(url, { origin: 'https://example.evil' })).toBe(403);
    await TestClient.open(url, { ws: { origin: 'https://a.example' } });
  });
});

describe('authenticate hook', () => {
  it('accepts with an identity (id and data), refuses with 401 or 403 and creates no peer state', async () => {
    const { url, signaling } = await startServer({
      authenticate: async (request) => {
        const user = request.headers['x-user'];
        if (user === undefined) return false;
        if (user === 'mallory') return { refuse: 403 };
        return { id: `user-${String(user)}`, data: { name: user } };
      },
    });
    const connected: unknown[] = [];
    signaling.on('peer:connect', ({ peer }) => connected.push(peer));
    expect(await refusedStatus(url)).toBe(401);
    expect(await refusedStatus(url, { 'x-user': 'mallory' })).toBe(403);
    expect(signaling.status()).toEqual({ totalClients: 0, clients: [], rooms: {} });
    const alice = await TestClient.open(url, { ws: { headers: { 'x-user': 'alice' } } });
    expect(alice.id).toBe('user-alice');
    expect(connected).toEqual([expect.objectContaining({ id: 'user-alice', data: { name: 'alice' } })]);
  });

  it('answers 500 when the hook throws, and keeps serving', async () => {
    const errors: Error[] = [];
    const { url, signaling } = await startServer({
      authenticate: (request) => {
        if (request.headers['x-crash'] !== undefined) throw new Error('auth backend down');
        return {};
      },
    });
    signaling.on('error', (error) => errors.push(error));
    expect(await refusedStatus(url, { 'x-crash': '1' })).toBe(500);
    expect(errors.map((e) => e.message)).toEqual(['auth backend down']);
    await TestClient.open(url);
  });
});

describe('authorizeJoin hook', () => {
  it('answers forbidden when it says no', async () => {
    const { url, httpUrl } = await startServer({ authorizeJoin: ({ room }) => room !== 'vip' });
    const client = await TestClient.open(url);
    client.send({ type: 'join-room', room: 'vip' });
    expect(await client.next()).toEqual({ type: 'error', message: 'forbidden', room: 'vip' });
    expect(await getJson(`${httpUrl}/status`)).toMatchObject({ rooms: {} });
  });

  it('may be async; the peer\'s later frames wait for it, so they are handled in arrival order', async () => {
    const { url } = await startServer({
      // A slow authorization backend.
      authorizeJoin: ({ room }) => new Promise((resolve) => setTimeout(() => resolve(room !== 'closed'), 20)),
    });
    const a = await TestClient.open(url);
    a.send({ type: 'join-room', room: 'r' });
    await a.next();
    await a.next();
    const b = await TestClient.open(url);
    b.send({ type: 'join-room', room: 'r' });
    b.send({ type: 'chat', text: 'first message after joining' });
    b.send({ type: 'join-room', room: 'closed' });
    b.send({ type: 'chat', text: 'still in r' });
    expect(await b.next()).toEqual({ type: 'room-joined', room: 'r' });
    expect(await b.next()).toEqual({ type: 'room-peers', peers: [a.id] });
    expect(await b.next()).toMatchObject({ message: 'forbidden', room: 'closed' });
    expect(await a.next()).toEqual({ type: 'peer-joined', peerId: b.id });
    expect(await a.next()).toEqual({ type: 'chat', text: 'first message after joining', from: b.id });
    expect(await a.next()).toEqual({ type: 'chat', text: 'still in r', from: b.id });
  });
});

describe('built-in tokens (tokenSecret, env WS_SECRET)', () => {
  const secret = 'correct horse battery staple';

  it('refuses a missing or wrong token with 401, accepts the shared secret itself', async () => {
    const { url } = await startServer({ tokenSecret: secret });
    expect(await refusedStatus(url)).toBe(401);
    expect(await refusedStatus(`${url}/?token=guess`)).toBe(401);
    await TestClient.open(`${url}/?token=${encodeURIComponent(secret)}`);
  });

  it('accepts a signed token: its sub is the peer id and its rooms claim limits joins', async () => {
    const { url } = await startServer({ tokenSecret: secret });
    const token = await signToken(secret, { id: 'bob', rooms: ['standup'], data: { role: 'dev' }, expiresIn: '5m' });
    const bob = await TestClient.open(`${url}/?token=${token}`);
    expect(bob.id).toBe('bob');
    bob.send({ type: 'join-room', room: 'board' });
    expect(await bob.next()).toMatchObject({ message: 'forbidden', room: 'board' });
    bob.send({ type: 'join-room', room: 'standup' });
    expect(await bob.next()).toEqual({ type: 'room-joined', room: 'standup' });
  });

  it('refuses an expired token, a token signed with another secret, and one with alg none', async () => {
    const { url } = await startServer({ tokenSecret: secret });
    const expired = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('eve')
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(new TextEncoder().encode(secret));
    expect(await refusedStatus(`${url}/?token=${expired}`)).toBe(401);
    expect(await refusedStatus(`${url}/?token=${await signToken('another secret', { id: 'eve' })}`)).toBe(401);
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"eve"}').toString('base64url')}.`;
    expect(await refusedStatus(`${url}/?token=${none}`)).toBe(401);
  });
});

describe('malformed upgrades and header floods', () => {
  it('answers each with a 4xx and keeps serving', async () => {
    const { url, server } = await startServer();
    const port = (server.address() as net.AddressInfo).port;
    const a = await TestClient.open(url);
    const cases = [
      'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: short\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 99\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      'POST / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nContent-Length: 0\r\n\r\n',
      `GET / HTTP/1.1\r\nHost: x\r\n${'X-Flood: yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\r\n'.repeat(2000)}\r\n`,
      'NOT HTTP AT ALL\r\n\r\n',
    ];
    for (const text of cases) expect(await rawRequest(port, text)).toMatch(/^HTTP\/1\.1 4\d\d /);
    a.send({ type: 'join-room', room: 'still' });
    expect(await a.next()).toEqual({ type: 'room-joined', room: 'still' });
    expect(await getJson(`${url.replace('ws:', 'http:')}/status`)).toMatchObject({ totalClients: 1 });
  });
});
