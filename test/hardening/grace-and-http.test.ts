import net, { type Socket } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { openJoined, TestClient } from '../helpers/client.js';
import { startServer } from '../helpers/server.js';

const tcp = (client: TestClient) => (client.socket as unknown as { _socket: Socket })._socket;

/** Two peers in room r; the one that asked for extensions has dropped and is in its (long) grace period. */
async function oneSuspended(options: Parameters<typeof startServer>[0]) {
  const server = await startServer({ resumeGracePeriod: 600_000, ...options });
  const stays = await openJoined(server.url, 'r');
  const dropped = await openJoined(`${server.url}/?extensions=1`, 'r');
  await stays.next();
  const suspended = new Promise((resolve) => server.signaling.once('peer:suspend', resolve));
  dropped.terminate();
  await suspended;
  return { ...server, stays, dropped };
}

describe('peers in their grace period hold nothing a live peer needs', () => {
  it('count against maxConnections: at the bound the oldest grace period ends to let a new connection in', async () => {
    const { url, signaling, stays, dropped } = await oneSuspended({ maxConnections: 2 });
    const reason = new Promise<string>((resolve) => signaling.once('peer:disconnect', ({ reason }) => resolve(reason)));
    const newcomer = await TestClient.open(url);
    expect(await reason).toBe('evicted');
    expect(await stays.next()).toEqual({ type: 'peer-left', peerId: dropped.id });
    expect(signaling.status()).toEqual({ totalClients: 2, clients: [stays.id, newcomer.id], rooms: { r: [stays.id] } });
    // The open connections alone at the bound: the next one is refused, as before.
    const refused = await TestClient.open(url, { welcome: false });
    expect(await refused.closed).toEqual({ code: 1013, reason: 'server-overloaded' });
  });

  it('give up their seat in a full room to a joiner', async () => {
    const { url, stays, dropped } = await oneSuspended({ maxPeersPerRoom: 2 });
    const joiner = await TestClient.open(url);
    joiner.send({ type: 'join-room', room: 'r' });
    expect(await joiner.next()).toEqual({ type: 'room-joined', room: 'r' });
    expect(await joiner.next()).toEqual({ type: 'room-peers', peers: [stays.id] });
    expect(await stays.next()).toEqual({ type: 'peer-left', peerId: dropped.id });
    expect(await stays.next()).toEqual({ type: 'peer-joined', peerId: joiner.id });
    // A full room of live peers still refuses.
    const late = await TestClient.open(url);
    late.send({ type: 'join-room', room: 'r' });
    expect(await late.next()).toMatchObject({ type: 'error', message: 'room-full' });
  });
});

describe('write progress: a receiver that never reads is cut even if it sends keepalives', () => {
  it('cuts it as write-stall within heartbeatInterval + heartbeatTimeout once the kernel takes nothing more', async () => {
    const { url, signaling } = await startServer({
      heartbeatInterval: 100,
      heartbeatTimeout: 100,
      maxBufferedBytes: 256 * 1024 * 1024,
      resumeGracePeriod: 0,
    });
    const alive = await TestClient.open(url);
    const stuck = await TestClient.open(url);
    tcp(stuck).pause(); // reads nothing from now on
    const reason = new Promise<string>((resolve) =>
      signaling.on('peer:disconnect', ({ peer, reason }) => peer.id === stuck.id && resolve(reason)),
    );
    // Keep it "alive": like a client with a keepalive timer, it sends a frame every 10 ms until it is cut.
    const keepalive = setInterval(() => stuck.send({ type: 'keepalive' }), 10);
    onTestFinished(() => clearInterval(keepalive));
    void reason.then(() => clearInterval(keepalive));
    // Fill its kernel buffers, and the server's behind them, from server code: 24 MB it will never read.
    const blob = { type: 'blob', pad: 'x'.repeat(60_000) };
    for (let i = 0; i < 400; i++) signaling.send(stuck.id, blob);
    expect(await reason).toBe('write-stall');
    // A client that reads is never cut.
    await alive.expectNothingPending();
  }, 15_000);
});

/** A raw TCP client; resolves with what the server wrote before it closed the connection. */
function rawClient(port: number, send: string): Promise<string> {
  const socket = net.connect(port, '127.0.0.1');
  onTestFinished(() => void socket.destroy());
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
  socket.on('error', () => {});
  socket.once('connect', () => socket.write(send));
  return new Promise((resolve) => socket.once('close', () => resolve(text)));
}

describe('the standalone server bounds HTTP before the upgrade', () => {
  it('answers 408 to headers not complete within headersTimeout (slowloris)', async () => {
    const { httpUrl } = await startServer({ headersTimeout: 200 });
    const port = Number(new URL(httpUrl).port);
    const answer = await rawClient(port, 'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n');
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 408 Request Timeout');
  });

  it('answers 408 to a request not complete within requestTimeout', async () => {
    const { httpUrl } = await startServer({ headersTimeout: 200, requestTimeout: 300 });
    const port = Number(new URL(httpUrl).port);
    const answer = await rawClient(port, 'POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nx');
    // The 404 goes out at once; the connection, still owed 99 bytes, is closed when requestTimeout runs out.
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 404 Not Found');
    expect(answer).toContain('HTTP/1.1 408 Request Timeout');
  });

  it('closes a socket at once beyond maxConnections + maxPendingConnections, before reading it', async () => {
    const { httpUrl, url, server } = await startServer({ maxConnections: 1, maxPendingConnections: 1 });
    const port = Number(new URL(httpUrl).port);
    const peer = await TestClient.open(url);
    // One idle socket: the pending share is used up.
    const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
    const idle = net.connect(port, '127.0.0.1');
    onTestFinished(() => void idle.destroy());
    const idleOnServer = await accepted;
    expect(await rawClient(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n')).toBe('');
    // Room again once the server's end of it has closed (the server counts it out before its close event).
    const freed = new Promise((resolve) => idleOnServer.once('close', resolve));
    idle.destroy();
    await freed;
    const answer = await rawClient(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
    await peer.expectNothingPending();
  });

  it('rejects a non-integer headersTimeout', async () => {
    await expect(startServer({ headersTimeout: 1.5 })).rejects.toThrow(new TypeError('options.headersTimeout must be an integer >= 1, got 1.5'));
  });
});
