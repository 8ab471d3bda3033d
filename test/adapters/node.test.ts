import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { WebSocket } from 'ws';
import { attachSignaling } from '../../src/index.js';
import { refusedStatus, TestClient } from '../helpers/client.js';

async function listen(server: http.Server | https.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return (server.address() as AddressInfo).port;
}

function appServer(): http.Server {
  return http.createServer((request, response) => {
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.end(`app says hi to ${request.url}`);
  });
}

describe('attachSignaling on http.Server', () => {
  it('signals on any path by default while the app keeps its own routes', async () => {
    const server = appServer();
    const signaling = attachSignaling(server);
    onTestFinished(() => signaling.close());
    const port = await listen(server);
    const response = await fetch(`http://127.0.0.1:${port}/hello`);
    expect(await response.text()).toBe('app says hi to /hello');
    const a = await TestClient.open(`ws://127.0.0.1:${port}/anything/at/all`);
    const b = await TestClient.open(`ws://127.0.0.1:${port}`);
    expect(signaling.status()).toEqual({ totalClients: 2, clients: [a.id, b.id], rooms: {} });
  });

  it('keeps two attachments on two paths independent, and answers other paths 404', async () => {
    const server = appServer();
    const one = attachSignaling(server, { path: '/one' });
    const two = attachSignaling(server, { path: '/two' });
    onTestFinished(async () => {
      await Promise.all([one.close(), two.close()]);
    });
    const port = await listen(server);
    const a = await TestClient.open(`ws://127.0.0.1:${port}/one`);
    const b = await TestClient.open(`ws://127.0.0.1:${port}/two?x=1`);
    expect(one.peers().map((p) => p.id)).toEqual([a.id]);
    expect(two.peers().map((p) => p.id)).toEqual([b.id]);
    expect(await refusedStatus(`ws://127.0.0.1:${port}/three`)).toBe(404);
    expect(() => attachSignaling(server, { path: '/one' })).toThrow('signaling is already attached to this server on /one');
  });

  it('leaves unclaimed upgrades to another upgrade listener on the same server', async () => {
    const server = appServer();
    const signaling = attachSignaling(server, { path: '/signal' });
    onTestFinished(() => signaling.close());
    const theirs = new (await import('ws')).WebSocketServer({ noServer: true });
    onTestFinished(() => new Promise<void>((resolve) => theirs.close(() => resolve())));
    server.on('upgrade', (request, socket, head) => {
      if (request.url === '/theirs') theirs.handleUpgrade(request, socket, head, (ws) => ws.send('their socket'));
    });
    const port = await listen(server);
    const client = new WebSocket(`ws://127.0.0.1:${port}/theirs`);
    onTestFinished(() => client.terminate());
    const message = await new Promise<string>((resolve) => client.once('message', (data: Buffer) => resolve(data.toString())));
    expect(message).toBe('their socket');
  });

  it('close() sends 1001 to every peer, detaches, and is idempotent', async () => {
    const server = appServer();
    const signaling = attachSignaling(server, { path: '/s' });
    const port = await listen(server);
    const a = await TestClient.open(`ws://127.0.0.1:${port}/s`);
    const b = await TestClient.open(`ws://127.0.0.1:${port}/s`);
    const first = signaling.close();
    expect(signaling.close()).toBe(first);
    await first;
    expect((await a.closed).code).toBe(1001);
    expect((await b.closed).code).toBe(1001);
    // Only the listener that answers later upgrades on /s with 503 stays (see test/hardening/shutdown.test.ts).
    expect(server.listenerCount('upgrade')).toBe(1);
    expect(signaling.peerCount).toBe(0);
    // Detached: a new attachment on the same path works.
    const again = attachSignaling(server, { path: '/s' });
    onTestFinished(() => again.close());
    await TestClient.open(`ws://127.0.0.1:${port}/s`);
  });

  it('echoes a known subprotocol', async () => {
    const server = appServer();
    const signaling = attachSignaling(server);
    onTestFinished(() => signaling.close());
    const port = await listen(server);
    const client = await TestClient.open(`ws://127.0.0.1:${port}`, { protocols: ['x-unknown', 'signalroom.console.v1'] });
    expect(client.socket.protocol).toBe('signalroom.console.v1');
  });

  it.each([
    [{ path: 'signal' }, 'options.path must start with "/", got "signal" (string)'],
    [{ maxMessageSize: 0 }, 'options.maxMessageSize must be an integer >= 1, got 0'],
    [{ maxDepth: -1 }, 'options.maxDepth must be an integer >= 1, got -1'],
    [{ dialect: 'irc' }, `options.dialect must be one of 'console', 'connector', 'peerjs', 'ywebrtc', got "irc" (string)`],
    [{ scope: 'everyone' }, `options.scope must be 'room' or 'open', got "everyone" (string)`],
    [{ dialects: { p2p: 'connector' } }, 'options.dialects keys must be paths starting with "/", got "p2p"'],
  ])('rejects %j with a TypeError', (options, message) => {
    expect(() => attachSignaling(appServer(), options as never)).toThrow(new TypeError(message));
  });
});

describe('attachSignaling on https.Server', () => {
  it('signals over TLS', async () => {
    const server = https.createServer({
      key: readFileSync(new URL('../fixtures/localhost-key.pem', import.meta.url)),
      cert: readFileSync(new URL('../fixtures/localhost-cert.pem', import.meta.url)),
    });
    const signaling = attachSignaling(server, { path: '/secure' });
    onTestFinished(() => signaling.close());
    const port = await listen(server);
    const tls = { ws: { rejectUnauthorized: false } };
    const a = await TestClient.open(`wss://127.0.0.1:${port}/secure`, tls);
    const b = await TestClient.open(`wss://127.0.0.1:${port}/secure`, tls);
    a.send({ type: 'join-room', room: 'tls' });
    b.send({ type: 'join-room', room: 'tls' });
    await a.next();
    await a.next();
    expect(await a.next()).toEqual({ type: 'peer-joined', peerId: b.id });
  });
});
