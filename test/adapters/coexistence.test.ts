import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server as SocketIoServer } from 'socket.io';
import { io as socketIoClient } from 'socket.io-client';
import { describe, expect, it, onTestFinished } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { attachSignaling } from '../../src/index.js';
import { TestClient } from '../helpers/client.js';

/** A `ws` server of the app's own (live reload, GraphQL subscriptions...), attached the way its README says. */
function liveServer(server: http.Server): WebSocketServer {
  const live = new WebSocketServer({ server, path: '/live' });
  live.on('connection', (socket) => socket.on('message', (data) => socket.send(`live: ${String(data)}`)));
  onTestFinished(() => new Promise<void>((resolve) => live.close(() => resolve())));
  return live;
}

function socketIo(server: http.Server): SocketIoServer {
  const io = new SocketIoServer(server);
  io.on('connection', (socket) => socket.on('ping-me', (text: string, ack: (reply: string) => void) => ack(`io: ${text}`)));
  onTestFinished(() => new Promise<void>((resolve) => void io.close(() => resolve())));
  return io;
}

async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => {
    server.closeAllConnections();
  });
  return (server.address() as AddressInfo).port;
}

async function liveEcho(port: number): Promise<string> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/live`);
  onTestFinished(() => socket.terminate());
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const reply = new Promise<string>((resolve) => socket.once('message', (data: Buffer) => resolve(data.toString())));
  socket.send('hi');
  return reply;
}

async function socketIoEcho(port: number, transports: Array<'websocket' | 'polling'>): Promise<string> {
  const socket = socketIoClient(`http://127.0.0.1:${port}`, { transports, reconnection: false, forceNew: true });
  onTestFinished(() => void socket.disconnect());
  await new Promise((resolve, reject) => socket.once('connect', () => resolve(undefined)).once('connect_error', reject));
  return socket.timeout(5_000).emitWithAck('ping-me', 'hi') as Promise<string>;
}

/** Two signalroom peers on /signal join one room and relay one offer. */
async function signalExchange(port: number): Promise<void> {
  const a = await TestClient.open(`ws://127.0.0.1:${port}/signal`);
  const b = await TestClient.open(`ws://127.0.0.1:${port}/signal`);
  for (const client of [a, b]) {
    client.send({ type: 'join-room', room: 'side-by-side' });
    await client.next();
    await client.next();
  }
  expect(await a.next()).toEqual({ type: 'peer-joined', peerId: b.id });
  a.send({ type: 'offer', to: b.id, offer: { sdp: 'v=0' } });
  expect(await b.next()).toMatchObject({ type: 'offer', from: a.id, offer: { sdp: 'v=0' } });
}

const ORDERS = {
  'ws and socket.io first, then signalroom': (server: http.Server) => {
    liveServer(server);
    socketIo(server);
    return attachSignaling(server, { path: '/signal' });
  },
  'signalroom first, then ws and socket.io': (server: http.Server) => {
    const signaling = attachSignaling(server, { path: '/signal' });
    liveServer(server);
    socketIo(server);
    return signaling;
  },
};

describe.each(Object.entries(ORDERS))('one http.Server with a ws server on /live, socket.io and signalroom on /signal: %s', (_order, attach) => {
  it('serves all three at once', async () => {
    const server = http.createServer((_request, response) => void response.end('app'));
    const signaling = attach(server);
    onTestFinished(() => signaling.close());
    const port = await listen(server);

    await signalExchange(port);
    expect(await liveEcho(port)).toBe('live: hi');
    // socket.io over long polling; its WebSocket transport is refused 400 by a ws server made with { server, path }
    // whether signalroom is there or not (ws owns every upgrade it sees), so that one is tested below without ws.
    expect(await socketIoEcho(port, ['polling'])).toBe('io: hi');
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('app');
    // The app's ws server saw only its own connections.
    expect(signaling.peerCount).toBe(2);
  });
});

describe('signalroom beside other upgrade listeners', () => {
  it.each(['signalroom first', 'socket.io first'])('shares a server with socket.io over WebSocket and polling (%s)', async (order) => {
    const server = http.createServer();
    if (order === 'socket.io first') socketIo(server);
    const signaling = attachSignaling(server, { path: '/signal' });
    onTestFinished(() => signaling.close());
    if (order === 'signalroom first') socketIo(server);
    const port = await listen(server);
    expect(await socketIoEcho(port, ['websocket'])).toBe('io: hi');
    expect(await socketIoEcho(port, ['polling', 'websocket'])).toBe('io: hi');
    await signalExchange(port);
  });

  it('gives the upgrade listener back when it closes, so the ws server keeps working alone', async () => {
    const server = http.createServer();
    const signaling = attachSignaling(server, { path: '/signal' });
    liveServer(server);
    const port = await listen(server);
    await signaling.close();
    expect(await liveEcho(port)).toBe('live: hi');
    // ws answers an upgrade on a path it does not own with 400 once signalroom is gone, as it always did.
    const refused = new WebSocket(`ws://127.0.0.1:${port}/signal`);
    const status = await new Promise<number | undefined>((resolve) =>
      refused.once('unexpected-response', (_request, response) => resolve(response.statusCode)).once('error', () => {}),
    );
    expect(status).toBe(400);
    expect(server.emit).toBe(http.Server.prototype.emit);
  });
});
