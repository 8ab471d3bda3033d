import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import { onTestFinished } from 'vitest';
import { expressSignaling } from '../../src/adapters/express.js';
import { signalroom } from '../../src/adapters/fastify.js';
import { attachSignaling, type SignalingOptions, type SignalingServer } from '../../src/index.js';

/** One running app with signaling on `/signal`, its own `GET /app` route and `GET /status`. */
export interface AdapterApp {
  readonly signaling: SignalingServer;
  /** `ws://127.0.0.1:<port>/signal` */
  readonly url: string;
  /** `http://127.0.0.1:<port>` */
  readonly httpUrl: string;
  /** Stops the app the way its framework does. */
  readonly stop: () => Promise<void>;
}

export interface AdapterFactory {
  readonly name: string;
  start(options?: SignalingOptions): Promise<AdapterApp>;
}

function urls(port: number) {
  return { url: `ws://127.0.0.1:${port}/signal`, httpUrl: `http://127.0.0.1:${port}` };
}

function listenOn(server: http.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function stopServer(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Listens on a free port; stopping closes signaling, then the server (also when the test ends). */
async function serve(server: http.Server, signaling: SignalingServer): Promise<AdapterApp> {
  const port = await listenOn(server);
  const stop = async () => {
    await signaling.close();
    await stopServer(server);
  };
  onTestFinished(stop);
  return { signaling, ...urls(port), stop };
}

export const ADAPTERS: readonly AdapterFactory[] = [
  {
    name: 'node http.Server',
    async start(options = {}) {
      const server = http.createServer((request, response) => {
        if (request.url === '/app') return void response.end('app route');
        if (request.url === '/status') {
          response.setHeader('content-type', 'application/json');
          return void response.end(JSON.stringify(signaling.status()));
        }
        response.writeHead(404).end();
      });
      const signaling = attachSignaling(server, { ...options, path: '/signal' });
      return serve(server, signaling);
    },
  },
  {
    name: 'Express',
    async start(options = {}) {
      const app = express();
      app.get('/app', (_request, response) => void response.send('app route'));
      const server = http.createServer(app);
      return serve(server, expressSignaling(app, server, { ...options, path: '/signal', statusPath: '/status' }));
    },
  },
  {
    name: 'Fastify',
    async start(options = {}) {
      const app: FastifyInstance = Fastify();
      app.get('/app', async () => 'app route');
      await app.register(signalroom, { ...options, path: '/signal', statusPath: '/status' });
      await app.listen({ port: 0, host: '127.0.0.1' });
      const port = (app.server.address() as AddressInfo).port;
      let stopped: Promise<void> | undefined;
      const stop = () => (stopped ??= app.close());
      onTestFinished(stop);
      return { signaling: app.signaling, ...urls(port), stop };
    },
  },
];
