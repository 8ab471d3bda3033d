import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import { describe, expect, it, onTestFinished } from 'vitest';
import { expressSignaling } from '../../src/adapters/express.js';
import signalroom from '../../src/adapters/fastify.js';
import { refusedStatus, TestClient } from '../helpers/client.js';

async function fastifyApp(register: (app: FastifyInstance) => Promise<void>) {
  const app: FastifyInstance = Fastify();
  await register(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  onTestFinished(() => app.close());
  return { app, port: (app.server.address() as AddressInfo).port };
}

describe('signalroom/fastify', () => {
  it('lets an onRequest hook refuse an upgrade, creating no peer', async () => {
    const { app, port } = await fastifyApp(async (app) => {
      app.addHook('onRequest', async (request, reply) => {
        if (request.headers.authorization !== 'Bearer ok') return reply.code(401).send({ error: 'unauthorized' });
      });
      await app.register(signalroom);
    });
    expect(await refusedStatus(`ws://127.0.0.1:${port}/signal`)).toBe(401);
    expect(await refusedStatus(`ws://127.0.0.1:${port}/signal`, { authorization: 'Bearer no' })).toBe(401);
    expect(app.signaling.peerCount).toBe(0);
    const allowed = await TestClient.open(`ws://127.0.0.1:${port}/signal`, { ws: { headers: { authorization: 'Bearer ok' } } });
    expect(app.signaling.peer(allowed.id)).toBeDefined();
  });

  it('decorates fastify.signaling, honours path and statusPath, and answers a plain GET on the path with 426', async () => {
    const { app, port } = await fastifyApp(async (app) => {
      await app.register(signalroom, { path: '/rtc', statusPath: '/rtc/status', maxPeersPerRoom: 3 });
    });
    expect(app.signaling.options.maxPeersPerRoom).toBe(3);
    const client = await TestClient.open(`ws://127.0.0.1:${port}/rtc`);
    expect(await (await fetch(`http://127.0.0.1:${port}/rtc/status`)).json()).toMatchObject({ clients: [client.id] });
    expect((await fetch(`http://127.0.0.1:${port}/status`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/rtc`)).status).toBe(426);
  });

  it('registers no status route unless asked for (it would list every peer on the public port)', async () => {
    const { port } = await fastifyApp(async (app) => {
      await app.register(signalroom);
    });
    for (const path of ['/status', '/healthz', '/metrics', '/dashboard', '/ice-servers']) {
      expect([path, (await fetch(`http://127.0.0.1:${port}${path}`)).status]).toEqual([path, 404]);
    }
    const off = await fastifyApp(async (app) => {
      await app.register(signalroom, { statusPath: false });
    });
    expect((await fetch(`http://127.0.0.1:${off.port}/status`)).status).toBe(404);
  });

  it('rejects invalid options when the plugin loads', async () => {
    const app = Fastify();
    await expect(app.register(signalroom, { maxDepth: 0 })).rejects.toThrow('options.maxDepth must be an integer >= 1, got 0');
  });
});

describe('signalroom/express', () => {
  async function expressApp(options: Parameters<typeof expressSignaling>[2] = {}) {
    const app = express();
    app.get('/mine', (_request, response) => void response.json({ mine: true }));
    const server = http.createServer(app);
    const signaling = expressSignaling(app, server, options);
    app.use((_request, response) => void response.status(404).send('not found'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(async () => {
      await signaling.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });
    return { signaling, port: (server.address() as AddressInfo).port };
  }

  it('takes the server app.listen returns', async () => {
    const app = express();
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const signaling = expressSignaling(app, server);
    onTestFinished(async () => {
      await signaling.close();
      await new Promise((resolve) => server.close(resolve));
    });
    const client = await TestClient.open(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/any`);
    expect(signaling.status().clients).toEqual([client.id]);
  });

  it('mounts status on a configurable path, or not at all', async () => {
    const custom = await expressApp({ statusPath: '/signal-status', path: '/signal' });
    expect(await (await fetch(`http://127.0.0.1:${custom.port}/signal-status`)).json()).toEqual({
      totalClients: 0,
      clients: [],
      rooms: {},
    });
    expect(await (await fetch(`http://127.0.0.1:${custom.port}/mine`)).json()).toEqual({ mine: true });
    const none = await expressApp({ statusPath: false });
    expect((await fetch(`http://127.0.0.1:${none.port}/status`)).status).toBe(404);
  });

  it('mounts no status route unless asked for (it would list every peer on the public port)', async () => {
    const { port } = await expressApp({ path: '/signal' });
    for (const path of ['/status', '/healthz', '/metrics', '/dashboard', '/ice-servers']) {
      expect([path, (await fetch(`http://127.0.0.1:${port}${path}`)).status]).toEqual([path, 404]);
    }
  });

  it('passes /status on to the app once signaling is closed', async () => {
    const { signaling, port } = await expressApp({ statusPath: '/status' });
    await signaling.close();
    expect((await fetch(`http://127.0.0.1:${port}/status`)).status).toBe(404);
  });
});
