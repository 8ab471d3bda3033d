import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import { describe, expect, it, onTestFinished } from 'vitest';
import { expressSignaling } from '../../src/adapters/express.js';
import signalroom from '../../src/adapters/fastify.js';
import { TestClient } from '../helpers/client.js';
import { openPeer } from '../helpers/peerjs.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const OPTIONS = { path: '/signal', peerjs: { path: '/myapp' }, dialects: { '/yjs': 'ywebrtc' as const } };

/** PeerJS (HTTP API and socket) and y-webrtc beside the app's own route and the console path. */
async function expectEverythingServed(port: number): Promise<void> {
  const base = `http://127.0.0.1:${port}`;
  expect(await (await fetch(`${base}/hello`)).text()).toBe('app');
  expect(await (await fetch(`${base}/myapp/peerjs/id`)).text()).toMatch(UUID_V4);
  expect(await (await fetch(`${base}/myapp/`)).json()).toMatchObject({ name: 'PeerJS Server' });
  const alice = await openPeer(`ws://127.0.0.1:${port}/myapp`, 'alice');
  alice.send({ type: 'OFFER', dst: 'alice', payload: 1 });
  expect(await alice.next()).toMatchObject({ type: 'OFFER', src: 'alice' });
  const doc = await TestClient.open(`ws://127.0.0.1:${port}/yjs`, { welcome: false });
  doc.send({ type: 'ping' });
  expect(await doc.next()).toEqual({ type: 'pong' });
  const plain = await TestClient.open(`ws://127.0.0.1:${port}/signal`);
  expect(plain.id).not.toBe('');
}

describe('PeerJS and y-webrtc through the adapters', () => {
  it('Express: expressSignaling serves them next to the app', async () => {
    const app = express();
    app.get('/hello', (_request, response) => void response.send('app'));
    const server = http.createServer(app);
    expressSignaling(app, server, OPTIONS);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
    await expectEverythingServed((server.address() as AddressInfo).port);
  });

  it('Fastify: the plugin serves them as Fastify routes', async () => {
    const app: FastifyInstance = Fastify();
    app.get('/hello', async () => 'app');
    await app.register(signalroom, OPTIONS);
    await app.listen({ port: 0, host: '127.0.0.1' });
    onTestFinished(() => app.close());
    await expectEverythingServed((app.server.address() as AddressInfo).port);
  });
});
